import { sql } from 'kysely';
import { ulid } from 'ulid';
import { UnknownTenantError } from '../api-keys/api-keys.service';
import { inTransaction, recordAuditEvent, type AuditAction, type AuditActor } from '../audit/audit-events';
import type { Config } from '../config';
import type { Db } from '../db/database';
import { RESOURCE_NAMES, type ResourceName } from '../resources/registry';
import { findTenant } from '../tenants/tenants.repository';
import { checkDestination, WebhookAddressError, type Resolver, type WebhookNetworkPolicy } from './webhook-address';
import { attemptDelivery } from './webhook-delivery';
import {
  normaliseFilterValues,
  parseResourceFilters,
  type WebhookFilters,
  type WebhookFiltersInput,
} from './webhook-filters';
import { newWebhookSecret, WebhookSecretBox } from './webhook-secrets';
import type { WebhookDeliveryRow, WebhookDisabledReason, WebhookEndpointRow, WebhookStatus } from './webhooks.table';

export type { WebhookFilters, WebhookFiltersInput } from './webhook-filters';
export type { WebhookDisabledReason, WebhookStatus } from './webhooks.table';

/** The design's durations, before any test scaling. */
export const SECRET_OVERLAP_MS = 24 * 3_600_000;
export const DEFAULT_TIMEOUT_MS = 10_000;
export const MAX_BATCH_SIZE = 100;

/** What the service needs of the configuration: the address policy, timeouts, test scaling. */
export interface WebhookServiceOptions {
  network: WebhookNetworkPolicy;
  /** Connect + response timeout of a delivery (10 s). */
  timeoutMs?: number;
  /** Tests only: scales the design's durations (1 in production). */
  timeScale?: number;
}

/** The service options the configuration gives (the HTTP layer and the CLI pass these). */
export function webhookOptionsFromConfig(config: Pick<Config, 'webhooks'>, resolve?: Resolver): WebhookServiceOptions {
  return {
    network: {
      allowHttp: config.webhooks.allowHttp,
      allowPrivateNetworks: config.webhooks.allowPrivateNetworks,
      resolve,
    },
    timeoutMs: config.webhooks.timeoutMs,
    timeScale: config.webhooks.timeScale,
  };
}

/** Bad input: each problem names the field (`url`, `resources`, `filters.logs.severity`…). The HTTP layer answers 400. */
export class WebhookValidationError extends Error {
  constructor(readonly problems: Array<{ parameter: string; message: string }>) {
    super(problems.map((p) => `${p.parameter}: ${p.message}`).join('; '));
    this.name = 'WebhookValidationError';
  }
}

/** No such endpoint in this tenant (404). */
export class UnknownWebhookError extends Error {
  constructor(readonly webhookId: string) {
    super(`No webhook endpoint with id ${webhookId}.`);
    this.name = 'UnknownWebhookError';
  }
}

/** An endpoint as the dashboard and the CLI show it (never its secret). */
export interface WebhookEndpointView {
  id: string;
  tenantId: string;
  url: string;
  description: string;
  resources: ResourceName[];
  filters: WebhookFilters;
  batchSize: number;
  status: WebhookStatus;
  disabledReason: WebhookDisabledReason | null;
  /** `now`, or the ISO time the endpoint was backfilled from. */
  startFrom: string;
  createdAt: string;
  /** The email of the dashboard user who created it, or `cli`. */
  createdBy: string;
  updatedAt: string;
  /** Consecutive failed attempts of the current message (0 when delivering fine). */
  failureCount: number;
  /** Since when the endpoint has been failing, or null. Failing for 3 days disables it. */
  failingSince: string | null;
  /** When the next attempt is due while retrying, or null when not backing off. */
  nextRetryAt: string | null;
  lastError: string | null;
  /** Until when the previous secret signs too, after a rotation; null when there is none. */
  previousSecretExpiresAt: string | null;
}

/** One attempt of the delivery log. */
export interface WebhookDeliveryView {
  id: string;
  endpointId: string;
  messageId: string;
  type: string;
  itemCount: number;
  attempt: number;
  startedAt: string;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  responseSnippet: string | null;
}

export function deliveryView(row: WebhookDeliveryRow): WebhookDeliveryView {
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    messageId: row.message_id,
    type: row.event_type,
    itemCount: row.item_count,
    attempt: row.attempt,
    startedAt: row.started_at.toISOString(),
    durationMs: row.duration_ms,
    statusCode: row.status_code,
    error: row.error,
    responseSnippet: row.response_snippet,
  };
}

export function endpointView(row: WebhookEndpointRow): WebhookEndpointView {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    url: row.url,
    description: row.description,
    resources: JSON.parse(row.resources) as ResourceName[],
    filters: JSON.parse(row.filters) as WebhookFilters,
    batchSize: row.batch_size,
    status: row.status,
    disabledReason: row.disabled_reason,
    startFrom: row.start_from ? row.start_from.toISOString() : 'now',
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
    updatedAt: row.updated_at.toISOString(),
    failureCount: row.failure_count,
    failingSince: row.failing_since?.toISOString() ?? null,
    nextRetryAt: row.failure_count > 0 && row.status === 'enabled' ? row.next_attempt_at.toISOString() : null,
    lastError: row.last_error,
    previousSecretExpiresAt:
      row.previous_secret_expires_at && row.previous_secret_expires_at > new Date()
        ? row.previous_secret_expires_at.toISOString()
        : null,
  };
}

/** How an actor is named in `createdBy`. */
function actorName(actor: AuditActor): string {
  return actor.type === 'user' ? actor.email : 'cli';
}

/** The audit event's resource name: the endpoint's id and host (never its path or query, which may carry a token). */
function auditName(row: Pick<WebhookEndpointRow, 'id' | 'url'>): string {
  let host = '';
  try {
    host = new URL(row.url).host;
  } catch {
    /* stored URLs are valid */
  }
  return `${row.id} (${host})`;
}

async function audit(db: Db, row: WebhookEndpointRow, action: AuditAction, actor: AuditActor): Promise<void> {
  await recordAuditEvent(db, {
    tenantId: row.tenant_id,
    action,
    actor,
    resourceType: 'webhook',
    resourceName: auditName(row),
  });
}

// --- validation -------------------------------------------------------------------------

async function validUrl(raw: unknown, options: WebhookServiceOptions): Promise<string> {
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw new WebhookValidationError([{ parameter: 'url', message: 'is required' }]);
  }
  try {
    await checkDestination(raw.trim(), options.network);
  } catch (err) {
    if (err instanceof WebhookAddressError)
      throw new WebhookValidationError([{ parameter: 'url', message: err.message }]);
    throw err;
  }
  return raw.trim();
}

/** Exported for the CLI, which checks its options before it opens the database. */
export function validResources(raw: unknown): ResourceName[] {
  const list = typeof raw === 'string' ? raw.split(',').map((r) => r.trim()) : raw;
  if (!Array.isArray(list) || list.length === 0) {
    throw new WebhookValidationError([
      { parameter: 'resources', message: `must name at least one of ${RESOURCE_NAMES.join(', ')}` },
    ]);
  }
  const unknown = list.filter((r) => !(RESOURCE_NAMES as readonly unknown[]).includes(r));
  if (unknown.length > 0) {
    throw new WebhookValidationError([
      {
        parameter: 'resources',
        message: `${unknown.map((r) => JSON.stringify(r)).join(', ')} is not a resource (use ${RESOURCE_NAMES.join(', ')})`,
      },
    ]);
  }
  // Registry order, once each.
  return RESOURCE_NAMES.filter((name) => list.includes(name));
}

function validFilters(raw: WebhookFiltersInput | undefined, resources: ResourceName[]): WebhookFilters {
  const filters: WebhookFilters = {};
  const problems: Array<{ parameter: string; message: string }> = [];
  for (const [resource, values] of Object.entries(raw ?? {})) {
    if (!values || Object.keys(values).length === 0) continue;
    if (!resources.includes(resource as ResourceName)) {
      problems.push({
        parameter: `filters.${resource}`,
        message: (RESOURCE_NAMES as readonly string[]).includes(resource)
          ? `${resource} is not one of the endpoint's resources`
          : `${JSON.stringify(resource)} is not a resource`,
      });
      continue;
    }
    const normalised = normaliseFilterValues(values);
    const parsed = parseResourceFilters(resource as ResourceName, normalised);
    problems.push(...parsed.problems);
    filters[resource as ResourceName] = normalised;
  }
  if (problems.length > 0) throw new WebhookValidationError(problems);
  return filters;
}

function validBatchSize(raw: unknown): number {
  if (raw === undefined) return 1;
  const n = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_BATCH_SIZE) {
    throw new WebhookValidationError([
      { parameter: 'batchSize', message: `must be a whole number from 1 to ${MAX_BATCH_SIZE}` },
    ]);
  }
  return n;
}

/** Exported for the CLI, as {@link validResources}. */
export function validTime(raw: unknown, parameter: string): Date {
  const date = raw instanceof Date ? raw : typeof raw === 'string' ? new Date(raw) : new Date(NaN);
  if (
    Number.isNaN(date.getTime()) ||
    (typeof raw === 'string' && !/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(raw)) ||
    date.getUTCFullYear() < 1970 ||
    date.getUTCFullYear() > 9999
  ) {
    throw new WebhookValidationError([{ parameter, message: 'must be an ISO 8601 time such as 2026-11-30T00:00:00Z' }]);
  }
  if (date.getTime() > Date.now() + 60_000)
    throw new WebhookValidationError([{ parameter, message: 'must not be in the future' }]);
  return date;
}

/** Exported for the CLI, as {@link validResources}. */
export function validDescription(raw: unknown): string {
  if (raw === undefined || raw === null) return '';
  if (typeof raw !== 'string' || raw.length > 500 || raw.includes('\u0000')) {
    throw new WebhookValidationError([{ parameter: 'description', message: 'must be text of at most 500 characters' }]);
  }
  return raw.trim();
}

// --- positions --------------------------------------------------------------------------

/** The feed position "now": past every transaction that has ended; running ones are still ahead. */
async function currentFeedStart(db: Db): Promise<[string, string]> {
  const { rows } = await sql<{ xmin: string }>`select pg_snapshot_xmin(pg_current_snapshot())::text as xmin`.execute(
    db,
  );
  return [rows[0]!.xmin, '-1'];
}

async function startPositions(db: Db, endpointId: string, resources: ResourceName[], from: Date | null): Promise<void> {
  if (resources.length === 0) return;
  const [txid, seq] = from ? ['0', '0'] : await currentFeedStart(db);
  await db
    .insertInto('webhook_positions')
    .values(
      resources.map((resource) => ({
        endpoint_id: endpointId,
        resource,
        txid,
        seq,
        from_time: from,
        pending_txid: null,
        pending_seq: null,
      })),
    )
    .execute();
}

// --- the API ----------------------------------------------------------------------------

async function findRow(db: Db, tenantId: string, id: string, forUpdate = false): Promise<WebhookEndpointRow> {
  let query = db.selectFrom('webhook_endpoints').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id);
  if (forUpdate) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) throw new UnknownWebhookError(id);
  return row;
}

export interface CreateWebhookInput {
  tenantId: string;
  url: string;
  description?: string | undefined;
  /** Resource names, as a list or comma-separated. */
  resources: string[] | string;
  filters?: WebhookFiltersInput | undefined;
  batchSize?: number | undefined;
  /** `now` (default) or an ISO time / Date to backfill from. */
  startFrom?: 'now' | string | Date | undefined;
  actor: AuditActor;
}

/** Creates an endpoint. The secret is returned here only: it is stored sealed and never shown again. */
export async function createWebhookEndpoint(
  db: Db,
  input: CreateWebhookInput,
  options: WebhookServiceOptions,
): Promise<{ endpoint: WebhookEndpointView; secret: string }> {
  const resources = validResources(input.resources);
  const filters = validFilters(input.filters, resources);
  const batchSize = validBatchSize(input.batchSize);
  const description = validDescription(input.description);
  const startFrom =
    input.startFrom === undefined || input.startFrom === 'now' ? null : validTime(input.startFrom, 'startFrom');
  const url = await validUrl(input.url, options);
  const box = await WebhookSecretBox.of(db);
  const secret = newWebhookSecret();
  return inTransaction(db, async (trx) => {
    if (!(await findTenant(trx, input.tenantId))) throw new UnknownTenantError(input.tenantId);
    const row = await trx
      .insertInto('webhook_endpoints')
      .values({
        id: ulid(),
        tenant_id: input.tenantId,
        url,
        description,
        resources: JSON.stringify(resources),
        filters: JSON.stringify(filters),
        batch_size: batchSize,
        status: 'enabled',
        disabled_reason: null,
        secret: box.seal(secret),
        previous_secret: null,
        previous_secret_expires_at: null,
        start_from: startFrom,
        created_by: actorName(input.actor),
        failing_since: null,
        last_error: null,
        lease_owner: null,
        lease_expires_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await startPositions(trx, row.id, resources, startFrom);
    await audit(trx, row, 'WebhookCreated', input.actor);
    return { endpoint: endpointView(row), secret };
  });
}

/** The tenant's endpoints, oldest first. */
export async function listWebhookEndpoints(db: Db, input: { tenantId: string }): Promise<WebhookEndpointView[]> {
  const rows = await db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('tenant_id', '=', input.tenantId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(endpointView);
}

export async function getWebhookEndpoint(
  db: Db,
  input: { tenantId: string; id: string },
): Promise<WebhookEndpointView> {
  return endpointView(await findRow(db, input.tenantId, input.id));
}

/**
 * The tenant of an endpoint, for the operator CLI (which names endpoints by id alone); every
 * other function is scoped by the tenant it is given.
 */
export async function findWebhookTenant(db: Db, id: string): Promise<string | undefined> {
  const row = await db.selectFrom('webhook_endpoints').select('tenant_id').where('id', '=', id).executeTakeFirst();
  return row?.tenant_id;
}

export interface UpdateWebhookInput {
  tenantId: string;
  id: string;
  url?: string | undefined;
  description?: string | undefined;
  resources?: string[] | string | undefined;
  /** Replaces all the endpoint's filters when given. */
  filters?: WebhookFiltersInput | undefined;
  batchSize?: number | undefined;
  actor: AuditActor;
}

/**
 * Changes an endpoint. A resource added starts from now; one removed forgets its position;
 * a filter change applies from the endpoint's current positions on.
 */
export async function updateWebhookEndpoint(
  db: Db,
  input: UpdateWebhookInput,
  options: WebhookServiceOptions,
): Promise<WebhookEndpointView> {
  const url = input.url === undefined ? undefined : await validUrl(input.url, options);
  const description = input.description === undefined ? undefined : validDescription(input.description);
  const batchSize = input.batchSize === undefined ? undefined : validBatchSize(input.batchSize);
  return inTransaction(db, async (trx) => {
    const current = await findRow(trx, input.tenantId, input.id, true);
    const before = JSON.parse(current.resources) as ResourceName[];
    const resources = input.resources === undefined ? before : validResources(input.resources);
    const filters = validFilters(input.filters ?? (JSON.parse(current.filters) as WebhookFiltersInput), resources);
    const added = resources.filter((r) => !before.includes(r));
    const removed = before.filter((r) => !resources.includes(r));
    if (removed.length > 0) {
      await trx
        .deleteFrom('webhook_positions')
        .where('endpoint_id', '=', current.id)
        .where('resource', 'in', removed)
        .execute();
    }
    await startPositions(trx, current.id, added, null);
    const row = await trx
      .updateTable('webhook_endpoints')
      .set({
        ...(url !== undefined ? { url } : {}),
        ...(description !== undefined ? { description } : {}),
        ...(batchSize !== undefined ? { batch_size: batchSize } : {}),
        resources: JSON.stringify(resources),
        filters: JSON.stringify(filters),
        updated_at: new Date(),
      })
      .where('tenant_id', '=', input.tenantId)
      .where('id', '=', input.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(trx, row, 'WebhookUpdated', input.actor);
    return endpointView(row);
  });
}

/**
 * Enables or disables an endpoint. Enabling clears `disabledReason` and the back-off, and
 * delivery resumes from the stored positions: nothing is skipped.
 */
export async function setWebhookEndpointStatus(
  db: Db,
  input: { tenantId: string; id: string; status: WebhookStatus; actor: AuditActor },
): Promise<WebhookEndpointView> {
  return inTransaction(db, async (trx) => {
    const current = await findRow(trx, input.tenantId, input.id, true);
    if (current.status === input.status) return endpointView(current);
    const now = new Date();
    const row = await trx
      .updateTable('webhook_endpoints')
      .set(
        input.status === 'enabled'
          ? {
              status: 'enabled',
              disabled_reason: null,
              failure_count: 0,
              failing_since: null,
              next_attempt_at: now,
              updated_at: now,
            }
          : { status: 'disabled', disabled_reason: 'manual', updated_at: now },
      )
      .where('tenant_id', '=', input.tenantId)
      .where('id', '=', input.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(trx, row, input.status === 'enabled' ? 'WebhookEnabled' : 'WebhookDisabled', input.actor);
    return endpointView(row);
  });
}

/**
 * Issues a new secret; for 24 hours messages carry two `v1,` signatures, one with each, so
 * receivers can switch over. Returns the new secret (shown once).
 */
export async function rotateWebhookSecret(
  db: Db,
  input: { tenantId: string; id: string; actor: AuditActor },
  options: Pick<WebhookServiceOptions, 'timeScale'> = {},
): Promise<{ endpoint: WebhookEndpointView; secret: string }> {
  const box = await WebhookSecretBox.of(db);
  const secret = newWebhookSecret();
  return inTransaction(db, async (trx) => {
    const current = await findRow(trx, input.tenantId, input.id, true);
    const now = new Date();
    const row = await trx
      .updateTable('webhook_endpoints')
      .set({
        secret: box.seal(secret),
        previous_secret: current.secret,
        previous_secret_expires_at: new Date(now.getTime() + SECRET_OVERLAP_MS * (options.timeScale ?? 1)),
        updated_at: now,
      })
      .where('tenant_id', '=', input.tenantId)
      .where('id', '=', input.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(trx, row, 'WebhookSecretRotated', input.actor);
    return { endpoint: endpointView(row), secret };
  });
}

/**
 * Replays every subscribed feed from `from`: the positions go back to the start of each
 * feed, filtered to items at or after that time (the changes feed's own `from`). The same
 * spans carry the same `webhook-id`s as before.
 */
export async function replayWebhookEndpoint(
  db: Db,
  input: { tenantId: string; id: string; from: string | Date; actor: AuditActor },
): Promise<WebhookEndpointView> {
  const from = validTime(input.from, 'from');
  return inTransaction(db, async (trx) => {
    const current = await findRow(trx, input.tenantId, input.id, true);
    await trx
      .updateTable('webhook_positions')
      .set({ txid: '0', seq: '0', from_time: from, pending_txid: null, pending_seq: null })
      .where('endpoint_id', '=', current.id)
      .execute();
    const now = new Date();
    const row = await trx
      .updateTable('webhook_endpoints')
      .set({ next_attempt_at: now, failure_count: 0, failing_since: null, updated_at: now })
      .where('tenant_id', '=', input.tenantId)
      .where('id', '=', input.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(trx, row, 'WebhookReplayed', input.actor);
    return endpointView(row);
  });
}

/** Clears the back-off: the next attempt is due now (the 3-day failing clock keeps running). */
export async function retryWebhookNow(
  db: Db,
  input: { tenantId: string; id: string; actor: AuditActor },
): Promise<WebhookEndpointView> {
  return inTransaction(db, async (trx) => {
    await findRow(trx, input.tenantId, input.id, true);
    const row = await trx
      .updateTable('webhook_endpoints')
      .set({ next_attempt_at: new Date() })
      .where('tenant_id', '=', input.tenantId)
      .where('id', '=', input.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(trx, row, 'WebhookRetried', input.actor);
    return endpointView(row);
  });
}

/**
 * Sends one `webhook.test` message now, signed like any other, outside the endpoint's feed
 * (positions and back-off are untouched), and returns the attempt as the delivery log has it.
 */
export async function sendWebhookTestEvent(
  db: Db,
  input: { tenantId: string; id: string; actor: AuditActor },
  options: WebhookServiceOptions,
): Promise<WebhookDeliveryView> {
  const row = await findRow(db, input.tenantId, input.id);
  await audit(db, row, 'WebhookTestSent', input.actor);
  const now = new Date();
  const body = JSON.stringify({
    type: 'webhook.test',
    timestamp: now.toISOString(),
    data: [{ webhookId: row.id, message: 'A test event sent from 1Security on request.' }],
  });
  const { delivery } = await attemptDelivery(
    db,
    row,
    { id: `msg_test_${ulid()}`, type: 'webhook.test', itemCount: 1, body },
    1,
    {
      network: options.network,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      box: await WebhookSecretBox.of(db),
    },
  );
  return deliveryView(delivery);
}

/** The endpoint's delivery log, newest first; `cursor` is the previous page's `nextCursor`. */
export async function listWebhookDeliveries(
  db: Db,
  input: { tenantId: string; id: string; limit?: number | undefined; cursor?: string | undefined },
): Promise<{ data: WebhookDeliveryView[]; nextCursor: string | null }> {
  await findRow(db, input.tenantId, input.id);
  const limit = Math.min(Math.max(Math.trunc(input.limit ?? 50), 1), 200);
  let query = db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('tenant_id', '=', input.tenantId)
    .where('endpoint_id', '=', input.id);
  if (input.cursor !== undefined) {
    const [time, id] = Buffer.from(input.cursor, 'base64url').toString('utf8').split('|');
    const startedAt = new Date(time ?? '');
    if (!id || Number.isNaN(startedAt.getTime())) {
      throw new WebhookValidationError([{ parameter: 'cursor', message: 'is not a cursor of this delivery log' }]);
    }
    query = query.where((eb) =>
      eb.or([eb('started_at', '<', startedAt), eb.and([eb('started_at', '=', startedAt), eb('id', '<', id)])]),
    );
  }
  const rows = await query
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    data: page.map(deliveryView),
    nextCursor:
      rows.length > limit && last
        ? Buffer.from(`${last.started_at.toISOString()}|${last.id}`, 'utf8').toString('base64url')
        : null,
  };
}
