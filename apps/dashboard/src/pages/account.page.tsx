import { PASSWORD_MIN_LENGTH, type TotpEnrolment } from '@1security/contract';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, call, clientProblem, failureOf, type Problem } from '../api-client';
import { Field } from '../components/field';
import { Notice, ProblemMessage } from '../components/problem-message';
import { QrCode } from '../components/qr-code';
import { usePageTitle } from '../router';
import { SESSION_EXPIRED, useSession } from '../session.context';

/** A base32 secret in groups of four, easier to type into an authenticator app. */
function groupsOfFour(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, '$1 ');
}

/** Account: who is signed in, changing the password, and the second factor (TOTP). */
export function Account() {
  usePageTitle('Account');
  const { me } = useSession();
  return (
    <>
      <section aria-labelledby="account-heading">
        <h2 id="account-heading">Account</h2>
        <dl className="facts">
          <dt>Email</dt>
          <dd>{me.email}</dd>
          <dt>Role</dt>
          <dd>{me.role === 'admin' ? 'Admin' : 'Analyst'}</dd>
          <dt>Tenant</dt>
          <dd>
            {me.tenantName} <code className="muted">{me.tenantId}</code>
          </dd>
        </dl>
      </section>
      <ChangePassword />
      <TwoFactor />
    </>
  );
}

function ChangePassword() {
  const { end } = useSession();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [problem, setProblem] = useState<Problem>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (next !== confirmation)
      return setProblem(clientProblem('The two new passwords are not the same. Type the new password twice.'));
    setBusy(true);
    setProblem(undefined);
    const res = await call(() => api.setPassword({ body: { currentPassword: current, newPassword: next } }));
    setBusy(false);
    // A new password ends every session, this one too.
    if (res.status === 204) return end('Your password has changed. Sign in with the new one.');
    const failure = failureOf(res);
    if (failure.code === 'UNAUTHENTICATED') return end(SESSION_EXPIRED);
    setProblem(failure);
  }

  return (
    <section aria-labelledby="password-heading" className="panel">
      <h3 id="password-heading">Change password</h3>
      <form onSubmit={submit} noValidate>
        <Field
          label="Current password"
          name="current-password"
          type="password"
          value={current}
          onChange={(e) => setCurrent(e.target.value)}
          autoComplete="current-password"
          required
        />
        <Field
          label="New password"
          name="new-password"
          type="password"
          value={next}
          onChange={(e) => setNext(e.target.value)}
          autoComplete="new-password"
          hint={`At least ${PASSWORD_MIN_LENGTH} characters. Every session of yours ends, this one too: you sign in again.`}
          required
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
            {busy ? 'Saving…' : 'Change password'}
          </button>
        </div>
      </form>
    </section>
  );
}

function TwoFactor() {
  const { me, update, end } = useSession();
  const [enrolment, setEnrolment] = useState<TotpEnrolment>();
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [problem, setProblem] = useState<Problem>();
  const [notice, setNotice] = useState<string>();
  const [busy, setBusy] = useState(false);
  const enrolHeading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (enrolment) enrolHeading.current?.focus();
  }, [enrolment]);

  function failed(res: { status: number; body: unknown }) {
    const failure = failureOf(res);
    if (failure.code === 'UNAUTHENTICATED') return end(SESSION_EXPIRED);
    setProblem(failure);
  }

  async function start() {
    setBusy(true);
    setProblem(undefined);
    setNotice(undefined);
    const res = await call(() => api.startTotpEnrolment());
    setBusy(false);
    if (res.status === 200) return setEnrolment(res.body.data);
    failed(res);
  }

  async function confirm(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setProblem(undefined);
    const res = await call(() => api.confirmTotpEnrolment({ body: { code: code.replace(/\s+/g, '') } }));
    setBusy(false);
    if (res.status === 204) {
      setEnrolment(undefined);
      setCode('');
      setNotice('Two-factor authentication is on. From now on, signing in asks for a code from your app.');
      return update({ ...me, mfaEnabled: true });
    }
    failed(res);
  }

  async function disable(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setProblem(undefined);
    const res = await call(() => api.disableTotp({ body: { password } }));
    setBusy(false);
    if (res.status === 204) {
      setPassword('');
      setNotice('Two-factor authentication is off. Signing in asks for your password only.');
      return update({ ...me, mfaEnabled: false });
    }
    failed(res);
  }

  return (
    <section aria-labelledby="mfa-heading" className="panel">
      <h3 id="mfa-heading">Two-factor authentication</h3>
      <Notice>{notice}</Notice>
      {me.mfaEnabled ? (
        <form onSubmit={disable} noValidate>
          <p>
            <span className="badge badge-active">On</span> Signing in asks for a 6-digit code from your authenticator
            app.
          </p>
          <Field
            label="Password"
            name="password"
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            autoComplete="current-password"
            hint="To turn two-factor authentication off, confirm with your password."
            required
          />
          <ProblemMessage problem={problem} />
          <div className="actions">
            <button type="submit" className="button danger" disabled={busy}>
              Turn off two-factor authentication
            </button>
          </div>
        </form>
      ) : enrolment ? (
        <form onSubmit={confirm} noValidate className="enrolment">
          <h4 ref={enrolHeading} tabIndex={-1}>
            Scan the code with your authenticator app
          </h4>
          <div className="enrolment-body">
            <QrCode text={enrolment.otpauthUrl} label="QR code to add this account to an authenticator app" />
            <div>
              <p>Or type this secret into the app (time-based, 6 digits, every 30 seconds):</p>
              <p>
                <code className="totp-secret">{groupsOfFour(enrolment.secret)}</code>
              </p>
              <Field
                label="Code from the app"
                name="code"
                value={code}
                onChange={(e) => setCode(e.target.value)}
                inputMode="numeric"
                autoComplete="one-time-code"
                maxLength={7}
                hint="Enter the 6-digit code the app shows, to confirm it is set up."
                required
              />
            </div>
          </div>
          <ProblemMessage problem={problem} />
          <div className="actions">
            <button type="submit" className="button primary" disabled={busy}>
              Turn on
            </button>
            <button
              type="button"
              className="button"
              onClick={() => {
                setEnrolment(undefined);
                setProblem(undefined);
              }}
            >
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <>
          <p>
            <span className="badge badge-expired">Off</span> Add a second step to signing in: a code from an
            authenticator app on your phone.
          </p>
          <ProblemMessage problem={problem} />
          <div className="actions">
            <button type="button" className="button primary" onClick={start} disabled={busy}>
              Set up authenticator app
            </button>
          </div>
        </>
      )}
    </section>
  );
}
