import type { Me } from '@1security/contract';
import { useState, type FormEvent } from 'react';
import { api, failureOf } from '../api-client';
import { AuthCard } from '../components/auth-card';
import { Field, TotpCodeField } from '../components/field';
import { FormFooter, SecondaryButton } from '../components/form-panel';
import { CurrentPasswordField } from '../components/new-password-fields';
import { Notice } from '../components/problem-message';
import { useRequest } from '../hooks/use-request';
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
  const { busy, problem, setProblem, send } = useRequest();
  // "Your password is set" and the like: said once, gone when the form is first sent.
  const [showNotice, setShowNotice] = useState(true);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setShowNotice(false);
    const body = needsCode ? { email, password, totp: totp.replace(/\s+/g, '') } : { email, password };
    const res = await send(() => api.signIn({ body }));
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
    <AuthCard title={needsCode ? 'Two-factor authentication' : 'Sign in'}>
      {!needsCode && <Notice>{showNotice ? notice : undefined}</Notice>}
      <form onSubmit={submit} noValidate>
        {needsCode ? (
          <>
            <p>
              Enter the 6-digit code from the authenticator app for <strong>{email}</strong>.
            </p>
            <TotpCodeField
              label="Authentication code"
              name="totp"
              value={totp}
              onChange={setTotp}
              pattern="[0-9 ]*"
              autoFocus
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
            <CurrentPasswordField value={password} onChange={setPassword} />
          </>
        )}
        <FormFooter
          problem={problem}
          busy={busy}
          label={needsCode ? 'Verify and sign in' : 'Sign in'}
          busyLabel="Signing in…"
        >
          {needsCode && <SecondaryButton onClick={startOver}>Use another account</SecondaryButton>}
        </FormFooter>
      </form>
      {!needsCode && (
        <p className="hint">No password yet, or forgot it? Ask your 1Security operator for a set-password link.</p>
      )}
    </AuthCard>
  );
}
