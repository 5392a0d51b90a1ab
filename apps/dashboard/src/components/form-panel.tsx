import { useEffect, useId, useRef, type FormEvent, type ReactNode } from 'react';
import type { Problem } from '../api-client';
import { ProblemMessage } from './problem-message';

/**
 * A form in a panel that opens on demand (create a key, add or edit an endpoint): titled by
 * its heading, which takes the focus when it opens so a keyboard or screen-reader user lands
 * in it. The browser's own validation is off: the API's messages say what is wrong.
 */
export function FormPanel({
  title,
  className,
  onSubmit,
  children,
}: {
  title: string;
  className?: string;
  onSubmit: (event: FormEvent) => void;
  children: ReactNode;
}) {
  const ids = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <form
      className={className ? `panel ${className}` : 'panel'}
      onSubmit={onSubmit}
      noValidate
      aria-labelledby={`${ids}-heading`}
    >
      <h3 id={`${ids}-heading`} ref={heading} tabIndex={-1}>
        {title}
      </h3>
      {children}
    </form>
  );
}

/**
 * The end of a form: its problem, if any, then its submit button (`busyLabel` while the
 * request is out) and whatever other buttons follow it (Cancel…).
 */
export function FormFooter({
  problem,
  busy,
  label,
  busyLabel = label,
  tone = 'primary',
  children,
}: {
  problem: Problem | undefined;
  busy: boolean;
  label: string;
  busyLabel?: string;
  tone?: 'primary' | 'danger';
  children?: ReactNode;
}) {
  return (
    <>
      <ProblemMessage problem={problem} />
      <div className="actions">
        <button type="submit" className={`button ${tone}`} disabled={busy}>
          {busy ? busyLabel : label}
        </button>
        {children}
      </div>
    </>
  );
}

/** A plain secondary button of a form's footer: Cancel, unless it says otherwise. */
export function SecondaryButton({ onClick, children = 'Cancel' }: { onClick: () => void; children?: ReactNode }) {
  return (
    <button type="button" className="button" onClick={onClick}>
      {children}
    </button>
  );
}
