import { PASSWORD_MIN_LENGTH } from '@1security/contract';
import { useState, type FormEvent } from 'react';
import { api, call, clientProblem, failureOf, type Problem } from '../api-client';
import { Field } from '../components/field';
import { ProblemMessage } from '../components/problem-message';
import { Link, ROUTES, usePageTitle } from '../router';

/** The one-time token of a set-password link: `/dashboard/set-password#token=…` (a fragment never reaches a server log). */
function tokenFromFragment(): string {
  return new URLSearchParams(window.location.hash.slice(1)).get('token') ?? '';
}

/** Choose a password from a one-time link; then on to sign-in. */
export function SetPassword({ onDone }: { onDone: () => void }) {
  usePageTitle('Set your password');
  const [token] = useState(tokenFromFragment);
  const [password, setPassword] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [problem, setProblem] = useState<Problem>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (password !== confirmation) {
      setProblem(clientProblem('The two passwords are not the same. Type the new password twice.'));
      return;
    }
    setBusy(true);
    setProblem(undefined);
    const res = await call(() => api.setPassword({ body: { token, newPassword: password } }));
    setBusy(false);
    if (res.status === 204) {
      // The link is spent: take its token out of the address bar and the history.
      window.history.replaceState(null, '', window.location.pathname);
      return onDone();
    }
    setProblem(failureOf(res));
  }

  return (
    <main id="main" className="auth-page">
      <div className="auth-card">
        <p className="auth-brand">
          <span className="brand-mark" aria-hidden="true">
            ●
          </span>{' '}
          1Security
        </p>
        <h1>Set your password</h1>
        {token ? (
          <form onSubmit={submit} noValidate>
            <p>This link works once, for 24 hours. Choose the password you will sign in with.</p>
            <Field
              label="New password"
              name="new-password"
              type="password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              autoComplete="new-password"
              hint={`At least ${PASSWORD_MIN_LENGTH} characters. A passphrase of a few words is easy to remember and hard to guess.`}
              required
              autoFocus
            />
            <Field
              label="Confirm new password"
              name="confirm-password"
              type="password"
              value={confirmation}
              onChange={(e) => setConfirmation(e.target.value)}
              autoComplete="new-password"
              required
            />
            <ProblemMessage problem={problem} />
            <div className="actions">
              <button type="submit" className="button primary" disabled={busy}>
                {busy ? 'Saving…' : 'Set password'}
              </button>
            </div>
          </form>
        ) : (
          <div className="message message-error" role="alert">
            <p>
              This link has no token: open the whole set-password link you were given (it ends in <code>#token=…</code>
              ), or ask for a new one.
            </p>
          </div>
        )}
        <p className="hint">
          Already have a password? <Link to={ROUTES.signIn}>Sign in</Link>.
        </p>
      </div>
    </main>
  );
}
