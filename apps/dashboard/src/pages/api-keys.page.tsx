import {
  API_KEY_NAME_MAX_LENGTH,
  SCOPES,
  type CreatedApiKey,
  type DashboardApiKey,
  type Scope,
} from '@1security/contract';
import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { api, call, clientProblem, failureOf, type Problem } from '../api-client';
import { ConfirmDialog } from '../components/confirm-dialog';
import { Field } from '../components/field';
import { Notice, ProblemMessage } from '../components/problem-message';
import { SecretPanel } from '../components/secret-panel';
import { When } from '../components/when';
import { Link, ROUTES, usePageTitle } from '../router';
import { SESSION_EXPIRED, useSession } from '../session.context';

const SCOPE_DESCRIPTIONS: Record<Scope, string> = {
  'logs:read': 'Audit logs (/logs, /logs/changes)',
  'monitoring-alerts:read': 'Monitoring alerts',
  'security-alerts:read': 'Security alerts',
};

const EXPIRY_CHOICES = [
  { value: 'never', label: 'Never' },
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '365', label: '365 days' },
  { value: 'date', label: 'On a date' },
] as const;
type ExpiryChoice = (typeof EXPIRY_CHOICES)[number]['value'];

const DAY_MS = 86_400_000;

/**
 * Settings → API Keys: every key of the tenant, creating one (its secret shown once) and
 * revoking one. Admins only: an analyst is told so, and the page never asks the API.
 */
export function ApiKeys() {
  usePageTitle('API Keys');
  const session = useSession();
  if (session.me.role !== 'admin') {
    return (
      <section aria-labelledby="api-keys-heading">
        <h2 id="api-keys-heading">API Keys</h2>
        <div className="message message-info" role="status">
          <p>
            <strong>Admin only.</strong> API keys are managed by the admins of {session.me.tenantName}. You are signed
            in as an analyst: ask one of your tenant&apos;s admins to create or revoke a key.
          </p>
        </div>
      </section>
    );
  }
  return <ApiKeysForAdmin />;
}

function ApiKeysForAdmin() {
  const session = useSession();
  const [keys, setKeys] = useState<DashboardApiKey[]>();
  const [loadProblem, setLoadProblem] = useState<Problem>();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedApiKey>();
  const [revoking, setRevoking] = useState<DashboardApiKey>();
  const [revokeProblem, setRevokeProblem] = useState<Problem>();
  const [notice, setNotice] = useState<string>();
  const createButton = useRef<HTMLButtonElement>(null);

  const { end } = session;
  const load = useCallback(async () => {
    const res = await call(() => api.listApiKeys());
    if (res.status === 200) {
      setKeys(res.body.data);
      setLoadProblem(undefined);
      return;
    }
    const failure = failureOf(res);
    if (failure.code === 'UNAUTHENTICATED') return end(SESSION_EXPIRED);
    setLoadProblem(failure);
  }, [end]);

  useEffect(() => {
    void load();
  }, [load]);

  function onCreated(result: CreatedApiKey) {
    setCreating(false);
    setCreated(result);
    setNotice(undefined);
    setKeys((current) => [result.key, ...(current ?? []).filter((k) => k.id !== result.key.id)]);
  }

  function dismissSecret() {
    setCreated(undefined);
    createButton.current?.focus();
  }

  async function revoke(key: DashboardApiKey) {
    setRevokeProblem(undefined);
    const res = await call(() => api.revokeApiKey({ params: { id: key.id } }));
    if (res.status === 200) {
      setRevoking(undefined);
      setKeys((current) => current?.map((k) => (k.id === key.id ? res.body.data : k)));
      setNotice(`“${key.name}” is revoked: the next request made with it is refused.`);
      return;
    }
    const failure = failureOf(res);
    if (failure.code === 'UNAUTHENTICATED') return end(SESSION_EXPIRED);
    setRevokeProblem(failure);
  }

  return (
    <section aria-labelledby="api-keys-heading">
      <div className="section-head">
        <h2 id="api-keys-heading">API Keys</h2>
        {keys && !creating && !created && (
          <button ref={createButton} type="button" className="button primary" onClick={() => setCreating(true)}>
            Create API key
          </button>
        )}
      </div>
      <p className="lead">
        Keys let a SIEM or script read {session.me.tenantName}&apos;s data through the 1Security API. Give each
        integration its own key with only the scopes it needs.
      </p>

      {created && <KeySecretPanel created={created} onDone={dismissSecret} />}
      {creating && (
        <CreateKeyForm
          onCreated={onCreated}
          onCancel={() => setCreating(false)}
          onSessionEnded={() => end(SESSION_EXPIRED)}
        />
      )}
      <Notice>{notice}</Notice>

      {loadProblem?.code === 'MFA_ENROLMENT_REQUIRED' ? (
        <div className="message message-info" role="alert">
          <p>{loadProblem.message}</p>
          <p>
            <Link to={ROUTES.account}>Set up two-factor authentication in Account</Link>, then come back.
          </p>
        </div>
      ) : (
        <ProblemMessage problem={loadProblem} />
      )}
      {keys === undefined && !loadProblem && <p className="loading">Loading keys…</p>}
      {keys && (
        <KeyTable
          keys={keys}
          onRevoke={(key) => {
            setRevokeProblem(undefined);
            setRevoking(key);
          }}
        />
      )}

      {revoking && (
        <ConfirmDialog
          title={`Revoke “${revoking.name}”?`}
          confirmLabel="Revoke key"
          problem={revokeProblem}
          onConfirm={() => revoke(revoking)}
          onCancel={() => setRevoking(undefined)}
        >
          <p>
            Anything still using <code>{revoking.displayPrefix}</code> gets <strong>401</strong> on its very next
            request. This cannot be undone: to restore access, create a new key.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}

function StatusBadge({ status }: { status: DashboardApiKey['status'] }) {
  return <span className={`badge badge-${status}`}>{status}</span>;
}

function KeyTable({ keys, onRevoke }: { keys: DashboardApiKey[]; onRevoke: (key: DashboardApiKey) => void }) {
  if (keys.length === 0)
    return <p className="empty">No API keys yet. Create one for each SIEM or script that reads your data.</p>;
  return (
    <div className="table-wrap">
      <table className="records keys">
        <caption className="visually-hidden">API keys of your tenant, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Status</th>
            <th scope="col">Scopes</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">Expires</th>
            <th scope="col">Rate limit</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => (
            <tr key={key.id} data-key-id={key.id}>
              <th scope="row" data-label="Name">
                <span className="key-name">{key.name}</span>
                <code className="key-prefix">{key.displayPrefix}</code>
              </th>
              <td data-label="Status">
                <div className="cell">
                  <StatusBadge status={key.status} />
                  {key.revokedAt && (
                    <span className="sub">
                      <When iso={key.revokedAt} />
                    </span>
                  )}
                </div>
              </td>
              <td data-label="Scopes">
                <div className="cell">
                  <ul className="scopes">
                    {key.scopes.map((scope) => (
                      <li key={scope}>
                        <code>{scope}</code>
                      </li>
                    ))}
                  </ul>
                </div>
              </td>
              <td data-label="Created">
                <div className="cell">
                  <When iso={key.createdAt} />
                  <span className="sub">by {key.createdBy === 'cli' ? 'the operator CLI' : key.createdBy}</span>
                </div>
              </td>
              <td data-label="Last used">
                <div className="cell">
                  {key.lastUsedAt ? <When iso={key.lastUsedAt} /> : <span className="muted">Never</span>}
                </div>
              </td>
              <td data-label="Expires">
                <div className="cell">
                  {key.expiresAt ? <When iso={key.expiresAt} dateOnly /> : <span className="muted">Never</span>}
                </div>
              </td>
              <td data-label="Rate limit">
                <div className="cell">
                  {key.rateLimit === null ? <span className="muted">Default</span> : `${key.rateLimit}/min`}
                </div>
              </td>
              <td data-label="Actions" className="row-actions">
                {key.status !== 'revoked' && (
                  <button
                    type="button"
                    className="button danger small"
                    onClick={() => onRevoke(key)}
                    aria-label={`Revoke ${key.name}`}
                  >
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The expiry the form's choice means, as the API wants it; a problem when the date is missing. */
function expiresAtOf(choice: ExpiryChoice, date: string): string | null | Problem {
  if (choice === 'never') return null;
  if (choice === 'date') {
    if (!date) return clientProblem('Choose the date the key expires on, or another expiry.');
    // The start of that day where the admin is; the API refuses a moment already past.
    const local = new Date(`${date}T00:00:00`);
    if (Number.isNaN(local.getTime())) return clientProblem(`“${date}” is not a date.`);
    return local.toISOString();
  }
  return new Date(Date.now() + Number(choice) * DAY_MS).toISOString();
}

function CreateKeyForm({
  onCreated,
  onCancel,
  onSessionEnded,
}: {
  onCreated: (created: CreatedApiKey) => void;
  onCancel: () => void;
  onSessionEnded: () => void;
}) {
  const ids = useId();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Scope[]>([]);
  const [expiry, setExpiry] = useState<ExpiryChoice>('never');
  const [date, setDate] = useState('');
  const [rateLimit, setRateLimit] = useState('');
  const [problem, setProblem] = useState<Problem>();
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => heading.current?.focus(), []);

  function toggleScope(scope: Scope, on: boolean) {
    setScopes((current) =>
      on ? SCOPES.filter((s) => s === scope || current.includes(s)) : current.filter((s) => s !== scope),
    );
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const expiresAt = expiresAtOf(expiry, date);
    if (expiresAt !== null && typeof expiresAt === 'object') return setProblem(expiresAt);
    const limit = rateLimit.trim();
    if (limit && !/^\d+$/.test(limit)) {
      return setProblem(
        clientProblem(
          `Rate limit: “${limit}” is not a whole number of requests per minute. Leave it empty for the default.`,
        ),
      );
    }
    setBusy(true);
    setProblem(undefined);
    const res = await call(() =>
      api.createApiKey({ body: { name, scopes, expiresAt, ...(limit ? { rateLimit: Number(limit) } : {}) } }),
    );
    setBusy(false);
    if (res.status === 201) return onCreated(res.body.data);
    const failure = failureOf(res);
    if (failure.code === 'UNAUTHENTICATED') return onSessionEnded();
    setProblem(failure);
  }

  const today = new Date();
  const tomorrow = new Date(today.getFullYear(), today.getMonth(), today.getDate() + 1);
  const minDate = `${tomorrow.getFullYear()}-${String(tomorrow.getMonth() + 1).padStart(2, '0')}-${String(tomorrow.getDate()).padStart(2, '0')}`;

  return (
    <form className="panel" onSubmit={submit} noValidate aria-labelledby={`${ids}-heading`}>
      <h3 id={`${ids}-heading`} ref={heading} tabIndex={-1}>
        Create API key
      </h3>
      <Field
        label="Name"
        name="name"
        value={name}
        onChange={(e) => setName(e.target.value)}
        hint={`What uses it, e.g. “Splunk production”. Up to ${API_KEY_NAME_MAX_LENGTH} characters.`}
        autoComplete="off"
        required
      />
      <fieldset className="choices">
        <legend>Scopes</legend>
        <p className="hint">What the key may read. Pick at least one.</p>
        {SCOPES.map((scope) => (
          <label key={scope} className="choice">
            <input
              type="checkbox"
              name="scopes"
              value={scope}
              checked={scopes.includes(scope)}
              onChange={(e) => toggleScope(scope, e.target.checked)}
            />
            <span>
              <code>{scope}</code> <span className="muted">{SCOPE_DESCRIPTIONS[scope]}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <fieldset className="choices">
        <legend>Expiry</legend>
        <div className="inline-choices">
          {EXPIRY_CHOICES.map((choice) => (
            <label key={choice.value} className="choice">
              <input
                type="radio"
                name="expiry"
                value={choice.value}
                checked={expiry === choice.value}
                onChange={() => setExpiry(choice.value)}
              />
              <span>{choice.label}</span>
            </label>
          ))}
        </div>
        {expiry === 'date' && (
          <Field
            label="Expiry date"
            name="expires-on"
            type="date"
            value={date}
            min={minDate}
            onChange={(e) => setDate(e.target.value)}
            hint="The key stops working at the start of this day, in your time zone."
          />
        )}
      </fieldset>
      <Field
        label="Rate limit (optional)"
        name="rate-limit"
        inputMode="numeric"
        value={rateLimit}
        onChange={(e) => setRateLimit(e.target.value)}
        hint="Requests per minute. Leave empty for the server's default."
        autoComplete="off"
      />
      <ProblemMessage problem={problem} />
      <div className="actions">
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create key'}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** The new key's secret, once: a copy button, and the warning that it is never shown again. */
function KeySecretPanel({ created, onDone }: { created: CreatedApiKey; onDone: () => void }) {
  return (
    <SecretPanel
      title={`Key “${created.key.name}” created`}
      secret={created.secret}
      onDone={onDone}
      warning={
        <>
          <strong>Copy the secret now. It will not be shown again</strong>: 1Security keeps only a hash of it. If you
          lose it, revoke the key and create another.
        </>
      }
    >
      <p className="hint">
        Scopes: {created.key.scopes.join(', ')}. Send it as <code>Authorization: Bearer …</code>.
      </p>
    </SecretPanel>
  );
}
