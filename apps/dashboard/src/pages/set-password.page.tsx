import { useState, type FormEvent } from 'react';
import { api } from '../api-client';
import { AuthCard } from '../components/auth-card';
import { FormFooter } from '../components/form-panel';
import { useNewPassword } from '../components/new-password-fields';
import { useRequest } from '../hooks/use-request';
import { Link, ROUTES, usePageTitle } from '../router';

/** The one-time token of a set-password link: `/dashboard/set-password#token=…` (a fragment never reaches a server log). */
function tokenFromFragment(): string {
  return new URLSearchParams(window.location.hash.slice(1)).get('token') ?? '';
}

/** Choose a password from a one-time link; then on to sign-in. */
export function SetPassword({ onDone }: { onDone: () => void }) {
  usePageTitle('Set your password');
  const [token] = useState(tokenFromFragment);
  const password = useNewPassword('The two passwords are not the same. Type the new password twice.');
  const { busy, problem, setProblem, send, fail } = useRequest();

  async function submit(event: FormEvent) {
    event.preventDefault();
    const mismatch = password.mismatch();
    if (mismatch) return setProblem(mismatch);
    const res = await send(() => api.setPassword({ body: { token, newPassword: password.password } }));
    if (res.status === 204) {
      // The link is spent: take its token out of the address bar and the history.
      window.history.replaceState(null, '', window.location.pathname);
      return onDone();
    }
    fail(res);
  }

  return (
    <AuthCard title="Set your password">
      {token ? (
        <form onSubmit={submit} noValidate>
          <p>This link works once, for 24 hours. Choose the password you will sign in with.</p>
          {password.fields('A passphrase of a few words is easy to remember and hard to guess.', { autoFocus: true })}
          <FormFooter problem={problem} busy={busy} label="Set password" busyLabel="Saving…" />
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
    </AuthCard>
  );
}
