import type { TotpEnrolment } from '@1security/contract';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api } from '../api-client';
import { TotpCodeField } from '../components/field';
import { FormFooter, SecondaryButton } from '../components/form-panel';
import { CurrentPasswordField, useNewPassword } from '../components/new-password-fields';
import { Notice, ProblemMessage } from '../components/problem-message';
import { QrCode } from '../components/qr-code';
import { useSessionRequest } from '../hooks/use-request';
import { usePageTitle } from '../router';
import { useSession } from '../session.context';

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
  const next = useNewPassword('The two new passwords are not the same. Type the new password twice.');
  const { busy, problem, setProblem, send, fail } = useSessionRequest();

  async function submit(event: FormEvent) {
    event.preventDefault();
    const mismatch = next.mismatch();
    if (mismatch) return setProblem(mismatch);
    const res = await send(() => api.setPassword({ body: { currentPassword: current, newPassword: next.password } }));
    // A new password ends every session, this one too.
    if (res.status === 204) return end('Your password has changed. Sign in with the new one.');
    fail(res);
  }

  return (
    <section aria-labelledby="password-heading" className="panel">
      <h3 id="password-heading">Change password</h3>
      <form onSubmit={submit} noValidate>
        <CurrentPasswordField label="Current password" name="current-password" value={current} onChange={setCurrent} />
        {next.fields('Every session of yours ends, this one too: you sign in again.')}
        <FormFooter problem={problem} busy={busy} label="Change password" busyLabel="Saving…" />
      </form>
    </section>
  );
}

function TwoFactor() {
  const { me, update } = useSession();
  const [enrolment, setEnrolment] = useState<TotpEnrolment>();
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [notice, setNotice] = useState<string>();
  const { busy, problem, setProblem, send, fail } = useSessionRequest();
  const enrolHeading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (enrolment) enrolHeading.current?.focus();
  }, [enrolment]);

  async function start() {
    setNotice(undefined);
    const res = await send(() => api.startTotpEnrolment());
    if (res.status === 200) return setEnrolment(res.body.data);
    fail(res);
  }

  async function confirm(event: FormEvent) {
    event.preventDefault();
    const res = await send(() => api.confirmTotpEnrolment({ body: { code: code.replace(/\s+/g, '') } }));
    if (res.status === 204) {
      setEnrolment(undefined);
      setCode('');
      setNotice('Two-factor authentication is on. From now on, signing in asks for a code from your app.');
      return update({ ...me, mfaEnabled: true });
    }
    fail(res);
  }

  async function disable(event: FormEvent) {
    event.preventDefault();
    const res = await send(() => api.disableTotp({ body: { password } }));
    if (res.status === 204) {
      setPassword('');
      setNotice('Two-factor authentication is off. Signing in asks for your password only.');
      return update({ ...me, mfaEnabled: false });
    }
    fail(res);
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
          <CurrentPasswordField
            value={password}
            onChange={setPassword}
            hint="To turn two-factor authentication off, confirm with your password."
          />
          <FormFooter problem={problem} busy={busy} label="Turn off two-factor authentication" tone="danger" />
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
              <TotpCodeField
                label="Code from the app"
                name="code"
                value={code}
                onChange={setCode}
                hint="Enter the 6-digit code the app shows, to confirm it is set up."
              />
            </div>
          </div>
          <FormFooter problem={problem} busy={busy} label="Turn on">
            <SecondaryButton
              onClick={() => {
                setEnrolment(undefined);
                setProblem(undefined);
              }}
            />
          </FormFooter>
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
