import type { ReactNode } from 'react';
import { useSession } from '../session.context';

/**
 * A Settings page for admins only: its content for an admin; for an analyst, the page's
 * heading and a note saying who manages `subject` and what to ask them — the page never asks
 * the API.
 */
export function AdminOnly({
  title,
  headingId,
  subject,
  ask,
  children,
}: {
  title: string;
  headingId: string;
  /** What the admins manage: "API keys". */
  subject: string;
  /** What an analyst asks an admin to do: "create or revoke a key". */
  ask: string;
  children: ReactNode;
}) {
  const { me } = useSession();
  if (me.role === 'admin') return children;
  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      <div className="message message-info" role="status">
        <p>
          <strong>Admin only.</strong> {subject} are managed by the admins of {me.tenantName}. You are signed in as an
          analyst: ask one of your tenant&apos;s admins to {ask}.
        </p>
      </div>
    </section>
  );
}
