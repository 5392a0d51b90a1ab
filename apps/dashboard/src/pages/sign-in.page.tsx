import type { Me } from '@1security/contract';
import { useState, type FormEvent } from 'react';
import { api, call, failureOf, type Problem } from '../api-client';
import { Field } from '../components/field';
import { Notice, ProblemMessage } from '../components/problem-message';
import { usePageTitle } from '../router';

/**
 * Email and password; when the account has TOTP enrolled, the API answers `MFA_REQUIRED` and
 * the page asks for the authenticator code, then signs in with all three.
 */
export function SignIn({ notice, onSignedIn }: { notice: string | undefined; onSignedIn: (me: Me) => void }) {
  usePageTitle('Sign in');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [needsCode, setNeedsCode] = useState(false);
  const [problem, setProblem] = useState<Problem>();
  const [busy, setBusy] = useState(false);
  // "Your password is set" and the like: said once, gone when the form is first sent.
  const [showNotice, setShowNotice] = useState(true);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setShowNotice(false);
    setProblem(undefined);
    const body = needsCode ? { email, password, totp: totp.replace(/\s+/g, '') } : { email, password };
    const res = await call(() => api.signIn({ body }));
    setBusy(false);
    if (res.status === 200) return onSignedIn(res.body.data);
    const failure = failureOf(res);
    if (failure.code === 'MFA_REQUIRED' && !needsCode) {
      setNeedsCode(true);
      return;
    }
    if (failure.code === 'MFA_REQUIRED') setTotp('');
    setProblem(failure);
  }

  function startOver() {
    setNeedsCode(false);
    setTotp('');
    setPassword('');
    setProblem(undefined);
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
        <h1>{needsCode ? 'Two-factor authentication' : 'Sign in'}</h1>
        {!needsCode && <Notice>{showNotice ? notice : undefined}</Notice>}
        <form onSubmit={submit} noValidate>
          {needsCode ? (
            <>
              <p>
                Enter the 6-digit code from the authenticator app for <strong>{email}</strong>.
              </p>
              <Field
                label="Authentication code"
                name="totp"
                value={totp}
                onChange={(e) => setTotp(e.target.value)}
                inputMode="numeric"
                autoComplete="one-time-code"
                pattern="[0-9 ]*"
                maxLength={7}
                autoFocus
                required
              />
            </>
          ) : (
            <>
              <Field
                label="Email"
                name="email"
                type="email"
                value={email}
                onChange={(e) => setEmail(e.target.value)}
                autoComplete="username"
                required
                autoFocus
              />
              <Field
                label="Password"
                name="password"
                type="password"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                autoComplete="current-password"
                required
              />
            </>
          )}
          <ProblemMessage problem={problem} />
          <div className="actions">
            <button type="submit" className="button primary" disabled={busy}>
              {busy ? 'Signing in…' : needsCode ? 'Verify and sign in' : 'Sign in'}
            </button>
            {needsCode && (
              <button type="button" className="button" onClick={startOver}>
                Use another account
              </button>
            )}
          </div>
        </form>
        {!needsCode && (
          <p className="hint">No password yet, or forgot it? Ask your 1Security operator for a set-password link.</p>
        )}
      </div>
    </main>
  );
}
