import {
  API_KEY_NAME_MAX_LENGTH,
  SCOPES,
  type CreatedApiKey,
  type DashboardApiKey,
  type Scope,
} from '@1security/contract';
import { useRef, useState, type FormEvent } from 'react';
import { api, clientProblem, type Problem } from '../api-client';
import { AdminOnly } from '../components/admin-only';
import { CodeCheckbox, toggled } from '../components/choice';
import { ConfirmDialog } from '../components/confirm-dialog';
import { Field } from '../components/field';
import { FormFooter, FormPanel, SecondaryButton } from '../components/form-panel';
import { Notice } from '../components/problem-message';
import { ActionsCell, Cell, CreatedBy, RecordsTable } from '../components/records-table';
import { SecretPanel } from '../components/secret-panel';
import { LoadProblem, SettingsSection } from '../components/settings-section';
import { When } from '../components/when';
import { useLoaded, useSessionRequest } from '../hooks/use-request';
import { usePageTitle } from '../router';
import { useSession } from '../session.context';

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
  return (
    <AdminOnly title="API Keys" headingId="api-keys-heading" subject="API keys" ask="create or revoke a key">
      <ApiKeysForAdmin />
    </AdminOnly>
  );
}

function ApiKeysForAdmin() {
  const { me } = useSession();
  const listing = useLoaded(
    () => api.listApiKeys(),
    (res) => (res.status === 200 ? res.body.data : undefined),
  );
  const { data: keys, setData: setKeys } = listing;
  const revocation = useSessionRequest();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedApiKey>();
  const [revoking, setRevoking] = useState<DashboardApiKey>();
  const [notice, setNotice] = useState<string>();
  const createButton = useRef<HTMLButtonElement>(null);

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
    const res = await revocation.send(() => api.revokeApiKey({ params: { id: key.id } }));
    if (res.status === 200) {
      setRevoking(undefined);
      setKeys((current) => current?.map((k) => (k.id === key.id ? res.body.data : k)));
      setNotice(`“${key.name}” is revoked: the next request made with it is refused.`);
      return;
    }
    revocation.fail(res);
  }

  return (
    <SettingsSection
      headingId="api-keys-heading"
      title="API Keys"
      action={
        keys &&
        !creating &&
        !created && (
          <button ref={createButton} type="button" className="button primary" onClick={() => setCreating(true)}>
            Create API key
          </button>
        )
      }
      lead={
        <>
          Keys let a SIEM or script read {me.tenantName}&apos;s data through the 1Security API. Give each integration
          its own key with only the scopes it needs.
        </>
      }
    >
      {created && <KeySecretPanel created={created} onDone={dismissSecret} />}
      {creating && <CreateKeyForm onCreated={onCreated} onCancel={() => setCreating(false)} />}
      <Notice>{notice}</Notice>

      <LoadProblem problem={listing.problem} />
      {keys === undefined && !listing.problem && <p className="loading">Loading keys…</p>}
      {keys && (
        <KeyTable
          keys={keys}
          onRevoke={(key) => {
            revocation.setProblem(undefined);
            setRevoking(key);
          }}
        />
      )}

      {revoking && (
        <ConfirmDialog
          title={`Revoke “${revoking.name}”?`}
          confirmLabel="Revoke key"
          problem={revocation.problem}
          onConfirm={() => revoke(revoking)}
          onCancel={() => setRevoking(undefined)}
        >
          <p>
            Anything still using <code>{revoking.displayPrefix}</code> gets <strong>401</strong> on its very next
            request. This cannot be undone: to restore access, create a new key.
          </p>
        </ConfirmDialog>
      )}
    </SettingsSection>
  );
}

function StatusBadge({ status }: { status: DashboardApiKey['status'] }) {
  return <span className={`badge badge-${status}`}>{status}</span>;
}

function KeyTable({ keys, onRevoke }: { keys: DashboardApiKey[]; onRevoke: (key: DashboardApiKey) => void }) {
  if (keys.length === 0)
    return <p className="empty">No API keys yet. Create one for each SIEM or script that reads your data.</p>;
  return (
    <RecordsTable
      className="keys"
      caption="API keys of your tenant, newest first"
      columns={['Name', 'Status', 'Scopes', 'Created', 'Last used', 'Expires', 'Rate limit']}
      actions
    >
      {keys.map((key) => (
        <tr key={key.id} data-key-id={key.id}>
          <th scope="row" data-label="Name">
            <span className="key-name">{key.name}</span>
            <code className="key-prefix">{key.displayPrefix}</code>
          </th>
          <Cell label="Status">
            <StatusBadge status={key.status} />
            {key.revokedAt && (
              <span className="sub">
                <When iso={key.revokedAt} />
              </span>
            )}
          </Cell>
          <Cell label="Scopes">
            <ul className="scopes">
              {key.scopes.map((scope) => (
                <li key={scope}>
                  <code>{scope}</code>
                </li>
              ))}
            </ul>
          </Cell>
          <Cell label="Created">
            <CreatedBy iso={key.createdAt} by={key.createdBy} />
          </Cell>
          <Cell label="Last used">
            {key.lastUsedAt ? <When iso={key.lastUsedAt} /> : <span className="muted">Never</span>}
          </Cell>
          <Cell label="Expires">
            {key.expiresAt ? <When iso={key.expiresAt} dateOnly /> : <span className="muted">Never</span>}
          </Cell>
          <Cell label="Rate limit">
            {key.rateLimit === null ? <span className="muted">Default</span> : `${key.rateLimit}/min`}
          </Cell>
          <ActionsCell>
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
          </ActionsCell>
        </tr>
      ))}
    </RecordsTable>
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

function CreateKeyForm({ onCreated, onCancel }: { onCreated: (created: CreatedApiKey) => void; onCancel: () => void }) {
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Scope[]>([]);
  const [expiry, setExpiry] = useState<ExpiryChoice>('never');
  const [date, setDate] = useState('');
  const [rateLimit, setRateLimit] = useState('');
  const { busy, problem, setProblem, send, fail } = useSessionRequest();

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
    const res = await send(() =>
      api.createApiKey({ body: { name, scopes, expiresAt, ...(limit ? { rateLimit: Number(limit) } : {}) } }),
    );
    if (res.status === 201) return onCreated(res.body.data);
    fail(res);
  }

  const today = new Date();
  const tomorrow = new Date(today.getFullYear(), today.getMonth(), today.getDate() + 1);
  const minDate = `${tomorrow.getFullYear()}-${String(tomorrow.getMonth() + 1).padStart(2, '0')}-${String(tomorrow.getDate()).padStart(2, '0')}`;

  return (
    <FormPanel title="Create API key" onSubmit={submit}>
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
          <CodeCheckbox
            key={scope}
            name="scopes"
            value={scope}
            description={SCOPE_DESCRIPTIONS[scope]}
            checked={scopes.includes(scope)}
            onChange={(on) => setScopes((current) => toggled(SCOPES, current, scope, on))}
          />
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
      <FormFooter problem={problem} busy={busy} label="Create key" busyLabel="Creating…">
        <SecondaryButton onClick={onCancel} />
      </FormFooter>
    </FormPanel>
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
