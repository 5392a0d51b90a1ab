import type { ReactNode } from 'react';
import type { Problem } from '../api-client';
import { Link, ROUTES } from '../router';
import { ProblemMessage } from './problem-message';

/** A Settings page's section: its heading with the page's main action beside it, and a lead paragraph. */
export function SettingsSection({
  headingId,
  title,
  action,
  lead,
  children,
}: {
  headingId: string;
  title: string;
  action?: ReactNode;
  lead: ReactNode;
  children: ReactNode;
}) {
  return (
    <section aria-labelledby={headingId}>
      <div className="section-head">
        <h2 id={headingId}>{title}</h2>
        {action}
      </div>
      <p className="lead">{lead}</p>
      {children}
    </section>
  );
}

/**
 * Why a page's list could not be read: the API's problem, or — when an admin must enrol TOTP
 * first (`DASHBOARD_REQUIRE_MFA`) — the way to Account to do so.
 */
export function LoadProblem({ problem }: { problem: Problem | undefined }) {
  if (problem?.code !== 'MFA_ENROLMENT_REQUIRED') return <ProblemMessage problem={problem} />;
  return (
    <div className="message message-info" role="alert">
      <p>{problem.message}</p>
      <p>
        <Link to={ROUTES.account}>Set up two-factor authentication in Account</Link>, then come back.
      </p>
    </div>
  );
}
