import { useEffect, useRef } from 'react';
import type { Problem } from '../api-client';

/**
 * An error for the user: the API's own message (and one line per bad field), announced to
 * screen readers and scrolled into view so it is not missed below a long form.
 */
export function ProblemMessage({ problem, id }: { problem: Problem | undefined; id?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (problem) ref.current?.scrollIntoView({ block: 'nearest' });
  }, [problem]);
  return (
    <div ref={ref} id={id} role="alert" className={problem ? 'message message-error' : 'message-empty'}>
      {problem && (
        <>
          <p>{problem.message}</p>
          {problem.details.length > 0 && (
            <ul>
              {problem.details.map((detail) => (
                <li key={detail}>{detail}</li>
              ))}
            </ul>
          )}
          {/* For a fault on our side, the ID to quote to support; a typo needs none. */}
          {problem.requestId && problem.status >= 500 && <p className="request-id">Request ID: {problem.requestId}</p>}
        </>
      )}
    </div>
  );
}

/** A confirmation that something worked, announced politely. */
export function Notice({ children }: { children: React.ReactNode }) {
  return (
    <div role="status" className={children ? 'message message-ok' : 'message-empty'}>
      {children}
    </div>
  );
}
