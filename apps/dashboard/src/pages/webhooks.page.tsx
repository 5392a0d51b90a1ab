import {
  ACTOR_TYPES,
  MONITORING_ALERT_STATUSES,
  SECURITY_ALERT_CLASSIFICATIONS,
  SECURITY_ALERT_STATUSES,
  SERVICE_SOURCES,
  SEVERITIES,
  WEBHOOK_BATCH_SIZE_MAX,
  WEBHOOK_BATCH_SIZE_MIN,
  WEBHOOK_DESCRIPTION_MAX_LENGTH,
  WEBHOOK_FILTER_SHAPES,
  WEBHOOK_RESOURCES,
  type DashboardWebhookEndpoint,
  type WebhookDeliveryAttempt,
  type WebhookEndpointWithSecret,
  type WebhookResource,
} from '@1security/contract';
import { useCallback, useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { api, call, clientProblem, type Problem } from '../api-client';
import { AdminOnly } from '../components/admin-only';
import { CodeCheckbox, toggled } from '../components/choice';
import { ConfirmDialog } from '../components/confirm-dialog';
import { Field } from '../components/field';
import { FormFooter, FormPanel, SecondaryButton } from '../components/form-panel';
import { Notice, ProblemMessage } from '../components/problem-message';
import { ActionsCell, Cell, CreatedBy, RecordsTable } from '../components/records-table';
import { SecretPanel } from '../components/secret-panel';
import { LoadProblem, SettingsSection } from '../components/settings-section';
import { When } from '../components/when';
import { useLoaded, useSessionRequest } from '../hooks/use-request';
import { usePageTitle } from '../router';
import { useSession } from '../session.context';

const RESOURCE_LABELS: Record<WebhookResource, string> = {
  logs: 'Audit logs',
  'monitoring-alerts': 'Monitoring alerts',
  'security-alerts': 'Security alerts',
};

/** A filter input: a set of known values (checkboxes), free values (text), or yes/no. */
type FilterField<P extends string = string> =
  | { parameter: P; label: string; kind: 'choices'; values: readonly string[] }
  | { parameter: P; label: string; kind: 'text'; hint: string }
  | { parameter: P; label: string; kind: 'boolean' };

/** Each resource's filters: the list endpoint's own query parameters (the compiler checks the names). */
const FILTER_FIELDS: { [R in WebhookResource]: Array<FilterField<keyof (typeof WEBHOOK_FILTER_SHAPES)[R] & string>> } =
  {
    logs: [
      { parameter: 'severity', label: 'Severity', kind: 'choices', values: SEVERITIES },
      { parameter: 'actorType', label: 'Actor type', kind: 'choices', values: ACTOR_TYPES },
      {
        parameter: 'action',
        label: 'Actions',
        kind: 'text',
        hint: 'Comma-separated, exact: FileDownloaded,FileDeleted',
      },
      { parameter: 'workload', label: 'Workloads', kind: 'text', hint: 'Comma-separated: SharePoint,Exchange' },
      { parameter: 'resourceType', label: 'Resource types', kind: 'text', hint: 'Comma-separated: file,folder' },
      { parameter: 'actor', label: 'Actor', kind: 'text', hint: 'One actorName, e.g. jane@contoso.com' },
    ],
    'monitoring-alerts': [
      { parameter: 'severity', label: 'Severity', kind: 'choices', values: SEVERITIES },
      { parameter: 'status', label: 'Status', kind: 'choices', values: MONITORING_ALERT_STATUSES },
      { parameter: 'resourceType', label: 'Resource types', kind: 'text', hint: 'Comma-separated: site,mailbox' },
      { parameter: 'isResolved', label: 'Resolved', kind: 'boolean' },
    ],
    'security-alerts': [
      { parameter: 'severity', label: 'Severity', kind: 'choices', values: SEVERITIES },
      { parameter: 'status', label: 'Status', kind: 'choices', values: SECURITY_ALERT_STATUSES },
      { parameter: 'classification', label: 'Classification', kind: 'choices', values: SECURITY_ALERT_CLASSIFICATIONS },
      { parameter: 'serviceSource', label: 'Service source', kind: 'choices', values: SERVICE_SOURCES },
      { parameter: 'isResolved', label: 'Resolved', kind: 'boolean' },
    ],
  };

type Filters = Partial<Record<WebhookResource, Record<string, string>>>;

/** How often the deliveries of the open endpoint are read again. */
const DELIVERIES_REFRESH_MS = 3_000;

/**
 * Settings → Webhooks: the tenant's endpoints, creating one (its signing secret shown once),
 * its filters, enabling and disabling, rotating the secret, a test event, the delivery log
 * with "Retry now" and "Replay from <time>". Admins only, like API keys.
 */
export function Webhooks() {
  usePageTitle('Webhooks');
  return (
    <AdminOnly title="Webhooks" headingId="webhooks-heading" subject="Webhooks" ask="add or change an endpoint">
      <WebhooksForAdmin />
    </AdminOnly>
  );
}

/** A secret to show once, and why it is new. */
type ShownSecret = WebhookEndpointWithSecret & { reason: 'created' | 'rotated' };

function WebhooksForAdmin() {
  const { me } = useSession();
  const listing = useLoaded(
    () => api.webhooks.listWebhookEndpoints(),
    (res) => (res.status === 200 ? res.body.data : undefined),
  );
  const { data: endpoints, setData: setEndpoints } = listing;
  const [creating, setCreating] = useState(false);
  const [openId, setOpenId] = useState<string>();
  const [shown, setShown] = useState<ShownSecret>();
  const addButton = useRef<HTMLButtonElement>(null);

  const replace = useCallback(
    (endpoint: DashboardWebhookEndpoint) => {
      setEndpoints((current) => [endpoint, ...(current ?? []).filter((e) => e.id !== endpoint.id)].sort(newestFirst));
    },
    [setEndpoints],
  );

  function onCreated(result: WebhookEndpointWithSecret) {
    setCreating(false);
    replace(result.endpoint);
    setShown({ ...result, reason: 'created' });
    setOpenId(result.endpoint.id);
  }

  const open = endpoints?.find((e) => e.id === openId);

  return (
    <SettingsSection
      headingId="webhooks-heading"
      title="Webhooks"
      action={
        endpoints &&
        !creating &&
        !open && (
          <button ref={addButton} type="button" className="button primary" onClick={() => setCreating(true)}>
            Add endpoint
          </button>
        )
      }
      lead={
        <>
          1Security POSTs every change of the resources an endpoint subscribes to, in order and signed (Standard
          Webhooks), to your SOAR or SIEM the moment {me.tenantName}&apos;s data is ingested.
        </>
      }
    >
      {shown && (
        <SecretPanel
          title={
            shown.reason === 'created' ? 'Endpoint created: its signing secret' : 'New signing secret for this endpoint'
          }
          secret={shown.secret}
          onDone={() => setShown(undefined)}
          warning={
            <>
              <strong>Copy the secret now. It will not be shown again.</strong> Your receiver needs it to verify the{' '}
              <code>webhook-signature</code> header of every message.
            </>
          }
        >
          {shown.reason === 'rotated' && (
            <p className="hint">
              Until{' '}
              {shown.endpoint.previousSecretExpiresAt ? (
                <When iso={shown.endpoint.previousSecretExpiresAt} />
              ) : (
                '24 h from now'
              )}{' '}
              every message carries two signatures, one with the old secret and one with this one: switch your receiver
              over before then.
            </p>
          )}
        </SecretPanel>
      )}

      {creating && (
        <EndpointForm
          onSaved={(result) => onCreated(result as WebhookEndpointWithSecret)}
          onCancel={() => {
            setCreating(false);
            addButton.current?.focus();
          }}
        />
      )}

      <LoadProblem problem={listing.problem} />
      {endpoints === undefined && !listing.problem && <p className="loading">Loading endpoints…</p>}
      {endpoints && !open && !creating && <EndpointTable endpoints={endpoints} onOpen={(e) => setOpenId(e.id)} />}
      {open && (
        <EndpointDetail
          key={open.id}
          endpoint={open}
          onChanged={replace}
          onSecret={(result) => setShown({ ...result, reason: 'rotated' })}
          onClose={() => {
            setOpenId(undefined);
            setShown(undefined);
          }}
        />
      )}
    </SettingsSection>
  );
}

function newestFirst(a: DashboardWebhookEndpoint, b: DashboardWebhookEndpoint): number {
  return b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id);
}

const DISABLED_REASONS: Record<string, string> = {
  manual: 'Disabled by an admin.',
  failing: 'Disabled after 3 days of failed deliveries.',
  gone: 'Disabled: the receiver answered 410 Gone.',
};

function StatusCell({ endpoint }: { endpoint: DashboardWebhookEndpoint }) {
  return (
    <div className="cell">
      <span
        className={`badge badge-${endpoint.status === 'enabled' ? (endpoint.failureCount > 0 ? 'failing' : 'active') : 'revoked'}`}
      >
        {endpoint.status === 'enabled' && endpoint.failureCount > 0 ? 'failing' : endpoint.status}
      </span>
      {endpoint.status === 'disabled' && (
        <span className="sub">
          {endpoint.disabledReason
            ? (DISABLED_REASONS[endpoint.disabledReason] ?? `Disabled: ${endpoint.disabledReason}.`)
            : 'Disabled.'}
        </span>
      )}
      {endpoint.status === 'enabled' && endpoint.failureCount > 0 && (
        <span className="sub">
          {endpoint.failureCount} failed {endpoint.failureCount === 1 ? 'attempt' : 'attempts'}
          {endpoint.failingSince && (
            <>
              {' '}
              since <When iso={endpoint.failingSince} />
            </>
          )}
        </span>
      )}
    </div>
  );
}

/** `severity=high,critical; status=new` for one resource, or nothing. */
function filterSummary(filters: Record<string, string> | undefined): string {
  return Object.entries(filters ?? {})
    .map(([parameter, value]) => `${parameter}=${value}`)
    .join('; ');
}

function ResourceList({ endpoint }: { endpoint: DashboardWebhookEndpoint }) {
  return (
    <ul className="scopes">
      {endpoint.resources.map((resource) => {
        const summary = filterSummary(endpoint.filters[resource]);
        return (
          <li key={resource}>
            <code>{resource}</code>
            {summary && <span className="sub filter-summary">{summary}</span>}
          </li>
        );
      })}
    </ul>
  );
}

function EndpointTable({
  endpoints,
  onOpen,
}: {
  endpoints: DashboardWebhookEndpoint[];
  onOpen: (endpoint: DashboardWebhookEndpoint) => void;
}) {
  if (endpoints.length === 0)
    return (
      <p className="empty">
        No webhook endpoints yet. Add one to have changes pushed to your receiver as they are ingested.
      </p>
    );
  return (
    <RecordsTable
      caption="Webhook endpoints of your tenant, newest first"
      columns={['Endpoint', 'Status', 'Resources', 'Batch', 'Created']}
      actions
    >
      {endpoints.map((endpoint) => (
        <tr key={endpoint.id} data-endpoint-id={endpoint.id}>
          <th scope="row" data-label="Endpoint">
            <span className="endpoint-url">{endpoint.url}</span>
            {endpoint.description && <span className="sub">{endpoint.description}</span>}
          </th>
          <td data-label="Status">
            <StatusCell endpoint={endpoint} />
          </td>
          <Cell label="Resources">
            <ResourceList endpoint={endpoint} />
          </Cell>
          <Cell label="Batch">{endpoint.batchSize}</Cell>
          <Cell label="Created">
            <CreatedBy iso={endpoint.createdAt} by={endpoint.createdBy} />
          </Cell>
          <ActionsCell>
            <button
              type="button"
              className="button small"
              onClick={() => onOpen(endpoint)}
              aria-label={`Manage ${endpoint.url}`}
            >
              Manage
            </button>
          </ActionsCell>
        </tr>
      ))}
    </RecordsTable>
  );
}

/** `datetime-local` value (the admin's time zone) → RFC 3339 UTC, or a problem. */
function isoOfLocal(value: string, what: string): string | Problem {
  if (!value) return clientProblem(`Choose the time to ${what}.`);
  const moment = new Date(value);
  if (Number.isNaN(moment.getTime())) return clientProblem(`“${value}” is not a date and time.`);
  return moment.toISOString();
}

/** A moment as a `datetime-local` value in the admin's time zone. */
function localValueOf(moment: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${moment.getFullYear()}-${pad(moment.getMonth() + 1)}-${pad(moment.getDate())}T${pad(moment.getHours())}:${pad(moment.getMinutes())}`;
}

/** The create form, or the edit form of `endpoint`. */
function EndpointForm({
  endpoint,
  onSaved,
  onCancel,
}: {
  endpoint?: DashboardWebhookEndpoint;
  onSaved: (result: WebhookEndpointWithSecret | DashboardWebhookEndpoint) => void;
  onCancel: () => void;
}) {
  const editing = endpoint !== undefined;
  const [url, setUrl] = useState(endpoint?.url ?? '');
  const [description, setDescription] = useState(endpoint?.description ?? '');
  const [resources, setResources] = useState<WebhookResource[]>(endpoint?.resources ?? []);
  const [filters, setFilters] = useState<Filters>(endpoint?.filters ?? {});
  const [batchSize, setBatchSize] = useState(String(endpoint?.batchSize ?? 1));
  const [startFrom, setStartFrom] = useState<'now' | 'time'>('now');
  const [startTime, setStartTime] = useState(() => localValueOf(new Date(Date.now() - 86_400_000)));
  const { busy, problem, setProblem, send, fail } = useSessionRequest();

  function setFilter(resource: WebhookResource, parameter: string, value: string) {
    setFilters((current) => {
      const next = { ...(current[resource] ?? {}) };
      if (value === '') delete next[parameter];
      else next[parameter] = value;
      return { ...current, [resource]: next };
    });
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const size = batchSize.trim();
    if (!/^\d+$/.test(size)) {
      return setProblem(
        clientProblem(
          `Batch size: “${size}” is not a whole number. Choose ${WEBHOOK_BATCH_SIZE_MIN} to ${WEBHOOK_BATCH_SIZE_MAX} items per message.`,
        ),
      );
    }
    // Only the subscribed resources' filters, and only those with a value.
    const chosenFilters: Filters = {};
    for (const resource of resources) {
      const values = filters[resource];
      if (values && Object.keys(values).length > 0) chosenFilters[resource] = values;
    }
    let from: string | undefined;
    if (!editing && startFrom === 'time') {
      const iso = isoOfLocal(startTime, 'start from');
      if (typeof iso === 'object') return setProblem(iso);
      from = iso;
    }
    const body = {
      url,
      description: description.trim() === '' ? null : description,
      resources,
      filters: chosenFilters,
      batchSize: Number(size),
    };
    const res = editing
      ? await send(() => api.webhooks.updateWebhookEndpoint({ params: { id: endpoint.id }, body }))
      : await send(() =>
          api.webhooks.createWebhookEndpoint({ body: { ...body, ...(from ? { startFrom: from } : {}) } }),
        );
    if (res.status === 201 || res.status === 200) return onSaved(res.body.data);
    fail(res);
  }

  return (
    <FormPanel title={editing ? 'Edit endpoint' : 'Add webhook endpoint'} className="endpoint-form" onSubmit={submit}>
      <Field
        label="URL"
        name="url"
        type="url"
        value={url}
        onChange={(e) => setUrl(e.target.value)}
        hint="Where 1Security POSTs the messages: an https:// address your receiver listens on."
        autoComplete="off"
        spellCheck={false}
        required
      />
      <Field
        label="Description (optional)"
        name="description"
        value={description}
        onChange={(e) => setDescription(e.target.value)}
        hint={`What receives them, e.g. “Tines story: triage”. Up to ${WEBHOOK_DESCRIPTION_MAX_LENGTH} characters.`}
        autoComplete="off"
      />
      <fieldset className="choices">
        <legend>Resources</legend>
        <p className="hint">Which changes feeds to push. Pick at least one; filters are optional.</p>
        {WEBHOOK_RESOURCES.map((resource) => (
          <div key={resource} className="resource-choice">
            <CodeCheckbox
              name="resources"
              value={resource}
              description={RESOURCE_LABELS[resource]}
              checked={resources.includes(resource)}
              onChange={(on) => setResources((current) => toggled(WEBHOOK_RESOURCES, current, resource, on))}
            />
            {resources.includes(resource) && (
              <ResourceFilters
                resource={resource}
                values={filters[resource] ?? {}}
                onChange={(parameter, value) => setFilter(resource, parameter, value)}
              />
            )}
          </div>
        ))}
      </fieldset>
      <Field
        label="Batch size"
        name="batch-size"
        inputMode="numeric"
        value={batchSize}
        onChange={(e) => setBatchSize(e.target.value)}
        hint={`Items per message, ${WEBHOOK_BATCH_SIZE_MIN} to ${WEBHOOK_BATCH_SIZE_MAX}. 1 sends each change on its own.`}
        autoComplete="off"
      />
      {!editing && (
        <fieldset className="choices">
          <legend>Start from</legend>
          <div className="inline-choices">
            <label className="choice">
              <input
                type="radio"
                name="start-from"
                checked={startFrom === 'now'}
                onChange={() => setStartFrom('now')}
              />
              <span>Now: only changes from here on</span>
            </label>
            <label className="choice">
              <input
                type="radio"
                name="start-from"
                checked={startFrom === 'time'}
                onChange={() => setStartFrom('time')}
              />
              <span>A time in the past (backfill)</span>
            </label>
          </div>
          {startFrom === 'time' && (
            <Field
              label="Start time"
              name="start-time"
              type="datetime-local"
              value={startTime}
              onChange={(e) => setStartTime(e.target.value)}
              hint="In your time zone. Every change from then on is delivered first, in order."
            />
          )}
        </fieldset>
      )}
      <FormFooter
        problem={problem}
        busy={busy}
        label={editing ? 'Save changes' : 'Create endpoint'}
        busyLabel="Saving…"
      >
        <SecondaryButton onClick={onCancel} />
      </FormFooter>
    </FormPanel>
  );
}

function ResourceFilters({
  resource,
  values,
  onChange,
}: {
  resource: WebhookResource;
  values: Record<string, string>;
  onChange: (parameter: string, value: string) => void;
}) {
  const ids = useId();
  const count = Object.keys(values).length;
  return (
    <details className="filters" open={count > 0}>
      <summary>
        Filters for {RESOURCE_LABELS[resource].toLowerCase()}
        {count > 0 ? ` (${count})` : ' (all changes)'}
      </summary>
      {(FILTER_FIELDS[resource] as FilterField[]).map((field) => {
        const value = values[field.parameter] ?? '';
        if (field.kind === 'choices') {
          const chosen = value ? value.split(',') : [];
          return (
            <fieldset key={field.parameter} className="choices filter-choices">
              <legend>
                {field.label} <span className="muted">({field.parameter})</span>
              </legend>
              <div className="inline-choices">
                {field.values.map((option) => (
                  <label key={option} className="choice">
                    <input
                      type="checkbox"
                      checked={chosen.includes(option)}
                      onChange={(e) => {
                        const next = field.values.filter((v) => (v === option ? e.target.checked : chosen.includes(v)));
                        onChange(field.parameter, next.join(','));
                      }}
                      aria-label={`${RESOURCE_LABELS[resource]} ${field.label.toLowerCase()}: ${option}`}
                    />
                    <span>{option}</span>
                  </label>
                ))}
              </div>
            </fieldset>
          );
        }
        if (field.kind === 'boolean') {
          return (
            <div key={field.parameter} className="field">
              <label htmlFor={`${ids}-${field.parameter}`}>
                {field.label} <span className="muted">({field.parameter})</span>
              </label>
              <select
                id={`${ids}-${field.parameter}`}
                value={value}
                onChange={(e) => onChange(field.parameter, e.target.value)}
              >
                <option value="">Either</option>
                <option value="false">Unresolved only</option>
                <option value="true">Resolved only</option>
              </select>
            </div>
          );
        }
        return (
          <Field
            key={field.parameter}
            label={`${field.label} (${field.parameter})`}
            name={`${resource}-${field.parameter}`}
            value={value}
            onChange={(e) => onChange(field.parameter, e.target.value)}
            hint={field.hint}
            autoComplete="off"
            spellCheck={false}
          />
        );
      })}
    </details>
  );
}

type Confirming = 'rotate' | 'replay' | undefined;

/** The two actions on an endpoint that ask first. */
const CONFIRMATIONS: Record<NonNullable<Confirming>, { title: string; confirmLabel: string }> = {
  rotate: { title: 'Rotate the signing secret?', confirmLabel: 'Rotate secret' },
  replay: { title: 'Replay deliveries?', confirmLabel: 'Replay' },
};

/** One endpoint: its settings, the actions on it, and its recent deliveries. */
function EndpointDetail({
  endpoint,
  onChanged,
  onSecret,
  onClose,
}: {
  endpoint: DashboardWebhookEndpoint;
  onChanged: (endpoint: DashboardWebhookEndpoint) => void;
  onSecret: (result: WebhookEndpointWithSecret) => void;
  onClose: () => void;
}) {
  const ids = useId();
  const { problem, setProblem, fail } = useSessionRequest();
  const [editing, setEditing] = useState(false);
  const [notice, setNotice] = useState<string>();
  const [busy, setBusy] = useState<string>();
  const [confirming, setConfirming] = useState<Confirming>();
  const [confirmProblem, setConfirmProblem] = useState<Problem>();
  const [replayFrom, setReplayFrom] = useState(() => localValueOf(new Date(Date.now() - 3_600_000)));
  const [deliveries, setDeliveries] = useState<WebhookDeliveryAttempt[]>();
  const [deliveriesProblem, setDeliveriesProblem] = useState<Problem>();
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => heading.current?.focus(), []);

  // The log and the endpoint's state (failing, next retry, disabled by delivery) read together.
  const loadDeliveries = useCallback(async () => {
    const [res, current] = await Promise.all([
      call(() => api.webhooks.listWebhookDeliveries({ params: { id: endpoint.id }, query: {} })),
      call(() => api.webhooks.getWebhookEndpoint({ params: { id: endpoint.id } })),
    ]);
    if (current.status === 200) onChanged(current.body.data);
    if (res.status === 200) {
      setDeliveries(res.body.data);
      setDeliveriesProblem(undefined);
      return;
    }
    fail(res, setDeliveriesProblem);
  }, [endpoint.id, fail, onChanged]);

  // The log while it is on screen: read now, then every few seconds while the tab is visible.
  useEffect(() => {
    void loadDeliveries();
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') void loadDeliveries();
    }, DELIVERIES_REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [loadDeliveries]);

  /** Runs one action; its answer replaces the endpoint, or its problem is shown. */
  async function act<R extends { status: number; body: unknown }>(
    name: string,
    request: () => Promise<R>,
    ok: (res: R) => string | undefined,
    showProblem: (problem: Problem) => void = setProblem,
  ): Promise<boolean> {
    setBusy(name);
    setProblem(undefined);
    setNotice(undefined);
    const res = await call(request);
    setBusy(undefined);
    if (res.status >= 200 && res.status < 300) {
      setNotice(ok(res as R));
      void loadDeliveries();
      return true;
    }
    fail(res, showProblem);
    return false;
  }

  const toggle = () =>
    endpoint.status === 'enabled'
      ? act(
          'disable',
          () => api.webhooks.disableWebhookEndpoint({ params: { id: endpoint.id } }),
          (res) => {
            if (res.status === 200) onChanged(res.body.data);
            return 'Disabled: nothing is sent until you enable it again. Its place in the feeds is kept.';
          },
        )
      : act(
          'enable',
          () => api.webhooks.enableWebhookEndpoint({ params: { id: endpoint.id } }),
          (res) => {
            if (res.status === 200) onChanged(res.body.data);
            return 'Enabled: delivery resumes where it stopped, nothing skipped.';
          },
        );

  const sendTest = () =>
    act(
      'test',
      () => api.webhooks.sendWebhookTestEvent({ params: { id: endpoint.id } }),
      (res) => {
        if (res.status !== 200) return undefined;
        const attempt = res.body.data;
        const ok = attempt.statusCode !== null && attempt.statusCode >= 200 && attempt.statusCode < 300;
        if (ok)
          return `Test event delivered: the receiver answered HTTP ${attempt.statusCode} in ${attempt.durationMs} ms.`;
        // Sent, and the receiver refused it (or never answered): a problem to fix on that side.
        setProblem(
          clientProblem(
            `Test event sent, but not accepted: ${attempt.statusCode !== null ? `HTTP ${attempt.statusCode}` : (attempt.error ?? 'no response')}. See Recent deliveries.`,
          ),
        );
        return undefined;
      },
    );

  const retryNow = () =>
    act(
      'retry',
      () => api.webhooks.retryWebhookNow({ params: { id: endpoint.id } }),
      (res) => {
        if (res.status === 200) onChanged(res.body.data);
        return 'Retrying now.';
      },
    );

  async function rotate() {
    setConfirmProblem(undefined);
    await act(
      'rotate',
      () => api.webhooks.rotateWebhookSecret({ params: { id: endpoint.id } }),
      (res) => {
        if (res.status !== 200) return undefined;
        setConfirming(undefined);
        onChanged(res.body.data.endpoint);
        onSecret(res.body.data);
        return undefined;
      },
      setConfirmProblem,
    );
  }

  async function replay() {
    setConfirmProblem(undefined);
    const from = isoOfLocal(replayFrom, 'replay from');
    if (typeof from === 'object') return setConfirmProblem(from);
    await act(
      'replay',
      () => api.webhooks.replayWebhookEndpoint({ params: { id: endpoint.id }, body: { from } }),
      (res) => {
        if (res.status !== 200) return undefined;
        setConfirming(undefined);
        onChanged(res.body.data);
        return `Replaying every change since ${new Date(from).toLocaleString()}. Messages already delivered keep their webhook-id.`;
      },
      setConfirmProblem,
    );
  }

  if (editing) {
    return (
      <EndpointForm
        endpoint={endpoint}
        onSaved={(saved) => {
          onChanged(saved as DashboardWebhookEndpoint);
          setEditing(false);
          setProblem(undefined);
          setNotice('Saved.');
        }}
        onCancel={() => setEditing(false)}
      />
    );
  }

  return (
    <div className="endpoint-detail">
      <p>
        <button type="button" className="button small" onClick={onClose}>
          ← All endpoints
        </button>
      </p>
      <section className="panel wide" aria-labelledby={`${ids}-heading`}>
        <h3 id={`${ids}-heading`} ref={heading} tabIndex={-1} className="endpoint-url">
          {endpoint.url}
        </h3>
        <dl className="facts">
          <dt>Status</dt>
          <dd>
            <StatusCell endpoint={endpoint} />
            {endpoint.lastError && endpoint.failureCount > 0 && (
              <span className="sub">Last error: {endpoint.lastError}</span>
            )}
            {endpoint.nextRetryAt && endpoint.failureCount > 0 && endpoint.status === 'enabled' && (
              <span className="sub">
                Next try <When iso={endpoint.nextRetryAt} />
              </span>
            )}
          </dd>
          {endpoint.description && (
            <>
              <dt>Description</dt>
              <dd>{endpoint.description}</dd>
            </>
          )}
          <dt>Resources</dt>
          <dd>
            <ResourceList endpoint={endpoint} />
          </dd>
          <dt>Batch size</dt>
          <dd>{endpoint.batchSize === 1 ? '1 item per message' : `up to ${endpoint.batchSize} items per message`}</dd>
          <dt>Created</dt>
          <dd>
            <CreatedBy iso={endpoint.createdAt} by={endpoint.createdBy} />
          </dd>
          {endpoint.previousSecretExpiresAt && new Date(endpoint.previousSecretExpiresAt) > new Date() && (
            <>
              <dt>Secret</dt>
              <dd>
                Rotated: the previous secret also signs until <When iso={endpoint.previousSecretExpiresAt} />
              </dd>
            </>
          )}
        </dl>
        <div className="actions">
          <button type="button" className="button" onClick={() => setEditing(true)}>
            Edit
          </button>
          <button type="button" className="button" onClick={toggle} disabled={busy !== undefined}>
            {endpoint.status === 'enabled' ? 'Disable' : 'Enable'}
          </button>
          <button type="button" className="button" onClick={sendTest} disabled={busy !== undefined}>
            {busy === 'test' ? 'Sending…' : 'Send test event'}
          </button>
          {endpoint.status === 'enabled' && endpoint.failureCount > 0 && (
            <button type="button" className="button" onClick={retryNow} disabled={busy !== undefined}>
              Retry now
            </button>
          )}
          <button
            type="button"
            className="button"
            onClick={() => {
              setConfirmProblem(undefined);
              setConfirming('rotate');
            }}
          >
            Rotate secret
          </button>
        </div>
        <form
          className="replay-row"
          onSubmit={(event) => {
            event.preventDefault();
            setConfirmProblem(undefined);
            setConfirming('replay');
          }}
        >
          <div className="field">
            <label htmlFor={`${ids}-replay-from`}>Replay from</label>
            <div className="replay-controls">
              <input
                id={`${ids}-replay-from`}
                name="replay-from"
                type="datetime-local"
                value={replayFrom}
                onChange={(e) => setReplayFrom(e.target.value)}
                aria-describedby={`${ids}-replay-hint`}
              />
              <button type="submit" className="button">
                Replay
              </button>
            </div>
            <p id={`${ids}-replay-hint`} className="hint">
              Deliver again every change since this time (your time zone), in order.
            </p>
          </div>
        </form>
        <Notice>{notice}</Notice>
        <ProblemMessage problem={problem} />
      </section>

      <Deliveries deliveries={deliveries} problem={deliveriesProblem} onRefresh={loadDeliveries} />

      {confirming && (
        <ConfirmDialog
          {...CONFIRMATIONS[confirming]}
          problem={confirmProblem}
          onConfirm={confirming === 'rotate' ? rotate : replay}
          onCancel={() => setConfirming(undefined)}
        >
          {confirming === 'rotate' ? (
            <p>
              A new secret is issued and shown once. For <strong>24 hours</strong> every message carries two signatures,
              with the old and the new secret, so your receiver can switch over without dropping a message.
            </p>
          ) : (
            <p>
              Every change since <strong>{replayFrom ? new Date(replayFrom).toLocaleString() : '…'}</strong> is sent
              again, in order, before new ones. A receiver that de-duplicates on <code>webhook-id</code> ignores what it
              already has.
            </p>
          )}
        </ConfirmDialog>
      )}
    </div>
  );
}

function AttemptResult({ attempt }: { attempt: WebhookDeliveryAttempt }) {
  const ok = attempt.statusCode !== null && attempt.statusCode >= 200 && attempt.statusCode < 300;
  return (
    <div className="cell">
      {attempt.statusCode !== null ? (
        <span className={`badge ${ok ? 'badge-active' : 'badge-revoked'}`}>HTTP {attempt.statusCode}</span>
      ) : (
        <span className="badge badge-revoked">No response</span>
      )}
      {attempt.error && <span className="sub delivery-error">{attempt.error}</span>}
    </div>
  );
}

function Deliveries({
  deliveries,
  problem,
  onRefresh,
}: {
  deliveries: WebhookDeliveryAttempt[] | undefined;
  problem: Problem | undefined;
  onRefresh: () => Promise<void>;
}) {
  const ids = useId();
  let body: ReactNode;
  if (deliveries === undefined) body = problem ? null : <p className="loading">Loading deliveries…</p>;
  else if (deliveries.length === 0)
    body = <p className="empty">No deliveries yet. Send a test event, or wait for the next change.</p>;
  else
    body = (
      <RecordsTable
        className="deliveries"
        caption="Recent delivery attempts, newest first"
        columns={['Started', 'Message', 'Attempt', 'Result', 'Latency', 'Response']}
      >
        {deliveries.map((attempt) => (
          <tr key={`${attempt.messageId}-${attempt.attempt}-${attempt.startedAt}`}>
            <th scope="row" data-label="Started">
              <When iso={attempt.startedAt} />
            </th>
            <Cell label="Message">
              <span>
                {attempt.type}
                {attempt.itemCount > 1 ? ` · ${attempt.itemCount} items` : ''}
              </span>
              <code className="sub message-id">{attempt.messageId}</code>
            </Cell>
            <Cell label="Attempt">{attempt.attempt}</Cell>
            <td data-label="Result">
              <AttemptResult attempt={attempt} />
            </td>
            <Cell label="Latency">{`${attempt.durationMs} ms`}</Cell>
            <Cell label="Response">
              {attempt.responseSnippet ? (
                <code className="snippet">{attempt.responseSnippet.slice(0, 200)}</code>
              ) : (
                <span className="muted">—</span>
              )}
            </Cell>
          </tr>
        ))}
      </RecordsTable>
    );
  return (
    <section aria-labelledby={`${ids}-heading`} className="deliveries-section">
      <div className="section-head">
        <h3 id={`${ids}-heading`}>Recent deliveries</h3>
        <button type="button" className="button small" onClick={() => void onRefresh()}>
          Refresh
        </button>
      </div>
      <ProblemMessage problem={problem} />
      {body}
    </section>
  );
}
