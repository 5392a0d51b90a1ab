import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { recordAuditEvent, type AuditActor } from '../audit/audit-events';
import type { Db } from '../db/database';
import type { Logger } from '../logger';
import { readFeedSlice, type FeedPosition } from '../pagination/changes-feed';
import { RESOURCES, type ResourceName } from '../resources/registry';
import { changesQuery } from '../resources/resource-query';
import type { WebhookNetworkPolicy } from './webhook-address';
import { attemptDelivery, isSuccess, type WebhookMessage } from './webhook-delivery';
import { parseResourceFilters, type WebhookFilters } from './webhook-filters';
import { feedMessageId, WebhookSecretBox } from './webhook-secrets';
import type { WebhookEndpointRow, WebhookPositionRow } from './webhooks.table';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** After the n-th consecutive failure, the next attempt waits RETRY_SCHEDULE_MS[n-1] (the last one repeats). */
export const RETRY_SCHEDULE_MS = [
  5 * SECOND,
  5 * MINUTE,
  30 * MINUTE,
  2 * HOUR,
  5 * HOUR,
  10 * HOUR,
  10 * HOUR,
] as const;
/** An endpoint failing this long is disabled (`disabledReason: "failing"`). */
export const FAILING_DISABLE_AFTER_MS = 3 * DAY;
/** Delivery log rows are kept this long. */
export const DELIVERY_LOG_RETENTION_MS = 30 * DAY;

/** The delay before the next attempt after `failures` consecutive failures. */
export function retryDelayMs(failures: number, timeScale = 1): number {
  const index = Math.min(Math.max(failures, 1), RETRY_SCHEDULE_MS.length) - 1;
  return RETRY_SCHEDULE_MS[index]! * timeScale;
}

/** Who auto-disables an endpoint, in the tenant's audit log. */
const DELIVERY_ACTOR: AuditActor = { type: 'system', name: 'webhook-delivery' };

export interface WebhookWorkerOptions {
  /** Concurrent delivery loops (`WEBHOOK_WORKERS`); 0: this instance delivers nothing. */
  workers: number;
  network: WebhookNetworkPolicy;
  timeoutMs: number;
  /** Tests only: scales the design's durations. */
  timeScale: number;
  logger: Logger;
  /** How soon a caught-up endpoint is looked at again, and an idle loop polls. */
  pollIntervalMs?: number;
}

type Span = {
  resource: ResourceName;
  /** The feed position the span was read after. */
  after: FeedPosition;
  first: FeedPosition;
  last: FeedPosition;
  items: unknown[];
};

/**
 * Delivers every enabled endpoint's feeds. Each loop claims one due endpoint at a time with
 * a lease row lock (`FOR UPDATE SKIP LOCKED`, then an expiry), so across any number of
 * instances one endpoint has one delivery stream; a killed instance's lease expires and
 * another instance continues from the stored positions. Every write of a delivery is fenced
 * by the lease: an instance that lost it changes nothing.
 */
export class WebhookWorker {
  readonly #db: Db;
  readonly #options: WebhookWorkerOptions;
  readonly #instance = randomBytes(6).toString('hex');
  readonly #leaseMs: number;
  readonly #pollMs: number;
  readonly #stopper = new AbortController();
  #loops: Array<Promise<void>> = [];
  #box: WebhookSecretBox | undefined;
  #lastPrune = 0;
  #rotation = 0;

  constructor(db: Db, options: WebhookWorkerOptions) {
    this.#db = db;
    this.#options = options;
    // Longer than one attempt (resolve + connect + response) by a wide margin.
    this.#leaseMs = Math.max(3 * options.timeoutMs, 5_000);
    this.#pollMs = options.pollIntervalMs ?? 200;
  }

  start(): void {
    for (let slot = 0; slot < this.#options.workers; slot++) this.#loops.push(this.#loop(`${this.#instance}:${slot}`));
  }

  /** Stops claiming; lets the attempts in flight finish (each ends within its timeout), and frees the leases. */
  async stop(): Promise<void> {
    this.#stopper.abort();
    await Promise.all(this.#loops);
    this.#loops = [];
  }

  get #running(): boolean {
    return !this.#stopper.signal.aborted;
  }

  async #loop(owner: string): Promise<void> {
    while (this.#running) {
      let claimed: WebhookEndpointRow | undefined;
      try {
        await this.#pruneNowAndThen();
        claimed = await this.#claim(owner);
        if (claimed) await this.#deliver(claimed, owner);
      } catch (err) {
        this.#options.logger.error({ err, endpointId: claimed?.id }, 'webhook delivery loop failed; retrying');
        await this.#pause(Math.max(this.#pollMs, 1_000));
      } finally {
        if (claimed) await this.#release(claimed.id, owner).catch(() => undefined);
      }
      if (!claimed) await this.#pause(this.#pollMs);
    }
  }

  async #pause(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.#stopper.signal }).catch(() => undefined);
  }

  async #claim(owner: string): Promise<WebhookEndpointRow | undefined> {
    const { rows } = await sql<WebhookEndpointRow>`
      update webhook_endpoints
         set lease_owner = ${owner}, lease_expires_at = now() + ${this.#leaseMs} * interval '1 millisecond'
       where id = (
         select id from webhook_endpoints
          where status = 'enabled' and next_attempt_at <= now()
            and (lease_owner is null or lease_expires_at < now())
          order by next_attempt_at
          limit 1
          for update skip locked)
      returning *`.execute(this.#db);
    return rows[0];
  }

  /** Renews the lease and returns the endpoint as it is now, or undefined when it was lost or disabled. */
  async #renew(id: string, owner: string, db: Db = this.#db): Promise<WebhookEndpointRow | undefined> {
    return db
      .updateTable('webhook_endpoints')
      .set({ lease_expires_at: sql`now() + ${this.#leaseMs} * interval '1 millisecond'` })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .where('status', '=', 'enabled')
      .returningAll()
      .executeTakeFirst();
  }

  async #release(id: string, owner: string): Promise<void> {
    await this.#db
      .updateTable('webhook_endpoints')
      .set({ lease_owner: null, lease_expires_at: null })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .execute();
  }

  /** Runs `work` in a transaction only while this loop still holds the endpoint's lease. */
  async #fenced(
    id: string,
    owner: string,
    work: (trx: Db, row: WebhookEndpointRow) => Promise<void>,
  ): Promise<boolean> {
    return this.#db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('webhook_endpoints')
        .selectAll()
        .where('id', '=', id)
        .where('lease_owner', '=', owner)
        .forUpdate()
        .executeTakeFirst();
      if (!row) return false;
      await work(trx, row);
      return true;
    });
  }

  /** Sends the endpoint's messages in order until it is caught up, fails, or the worker stops. */
  async #deliver(claimed: WebhookEndpointRow, owner: string): Promise<void> {
    this.#box ??= await WebhookSecretBox.of(this.#db);
    let endpoint = await this.#renew(claimed.id, owner);
    while (this.#running && endpoint) {
      const span = await this.#nextSpan(endpoint, owner);
      if (!span) {
        // Caught up: look again after a poll interval.
        await this.#db
          .updateTable('webhook_endpoints')
          .set({ next_attempt_at: sql`now() + ${this.#pollMs} * interval '1 millisecond'` })
          .where('id', '=', claimed.id)
          .where('lease_owner', '=', owner)
          .execute();
        return;
      }
      const message: WebhookMessage = {
        id: feedMessageId(endpoint.id, span.resource, span.first, span.last),
        type: `${span.resource}.changed`,
        itemCount: span.items.length,
        body: JSON.stringify({
          type: `${span.resource}.changed`,
          timestamp: new Date().toISOString(),
          data: span.items,
        }),
      };
      const { outcome } = await attemptDelivery(this.#db, endpoint, message, endpoint.failure_count + 1, {
        network: this.#options.network,
        timeoutMs: this.#options.timeoutMs,
        box: this.#box,
      });
      if (isSuccess(outcome)) {
        endpoint = await this.#delivered(endpoint.id, owner, span);
        continue;
      }
      await this.#failed(endpoint, owner, span, outcome.statusCode, outcome.error);
      return;
    }
  }

  /**
   * After a 2xx, in one statement (one round trip, atomic): renews the lease, clears the
   * failure state, and moves the feed position past the span — only while this loop holds
   * the lease, and only if the position is still the one the span was read after (an admin's
   * replay in the meantime wins). Returns the endpoint to go on with, or undefined to stop.
   */
  async #delivered(id: string, owner: string, span: Span): Promise<WebhookEndpointRow | undefined> {
    const { rows } = await sql<WebhookEndpointRow>`
      with renewed as (
        update webhook_endpoints
           set failure_count = 0, failing_since = null, last_error = null,
               lease_expires_at = now() + ${this.#leaseMs} * interval '1 millisecond'
         where id = ${id} and lease_owner = ${owner}
        returning *),
      moved as (
        update webhook_positions
           set txid = ${span.last[0]}, seq = ${span.last[1]}, pending_txid = null, pending_seq = null
         where endpoint_id = ${id} and resource = ${span.resource}
           and txid = ${span.after[0]} and seq = ${span.after[1]}
           and exists (select 1 from renewed)
        returning 1)
      select renewed.* from renewed`.execute(this.#db);
    const row = rows[0];
    return row && row.status === 'enabled' ? row : undefined;
  }

  async #failed(
    endpoint: WebhookEndpointRow,
    owner: string,
    span: Span,
    statusCode: number | null,
    error: string | null,
  ): Promise<void> {
    const { timeScale, logger } = this.#options;
    const lastError = statusCode !== null ? `HTTP ${statusCode}` : (error ?? 'failed');
    await this.#fenced(endpoint.id, owner, async (trx, row) => {
      const now = new Date();
      // Retries send this span again (the same webhook-id), whatever has been committed since.
      await trx
        .updateTable('webhook_positions')
        .set({ pending_txid: span.last[0], pending_seq: span.last[1] })
        .where('endpoint_id', '=', row.id)
        .where('resource', '=', span.resource)
        .execute();
      const failures = row.failure_count + 1;
      const failingSince = row.failing_since ?? now;
      const gone = statusCode === 410;
      const tooLong = now.getTime() - failingSince.getTime() >= FAILING_DISABLE_AFTER_MS * timeScale;
      if (gone || tooLong) {
        const updated = await trx
          .updateTable('webhook_endpoints')
          .set({
            status: 'disabled',
            disabled_reason: gone ? 'gone' : 'failing',
            failure_count: failures,
            failing_since: failingSince,
            last_error: lastError,
            updated_at: now,
          })
          .where('id', '=', row.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        await recordAuditEvent(trx, {
          tenantId: updated.tenant_id,
          action: 'WebhookAutoDisabled',
          actor: DELIVERY_ACTOR,
          resourceType: 'webhook',
          resourceName: `${updated.id} (${hostOf(updated.url)})`,
        });
        logger.warn({ endpointId: row.id, reason: updated.disabled_reason }, 'webhook endpoint disabled');
        return;
      }
      await trx
        .updateTable('webhook_endpoints')
        .set({
          failure_count: failures,
          failing_since: failingSince,
          last_error: lastError,
          next_attempt_at: new Date(now.getTime() + retryDelayMs(failures, timeScale)),
        })
        .where('id', '=', row.id)
        .execute();
      logger.info({ endpointId: row.id, failures, statusCode, error }, 'webhook delivery failed; will retry');
    });
  }

  /**
   * The endpoint's next message: a span being retried first (the same rows, so the same id),
   * otherwise the next rows of the first feed, in turn, that has any. A feed with none moves
   * its position up to its horizon, so the next read starts there.
   */
  async #nextSpan(endpoint: WebhookEndpointRow, owner: string): Promise<Span | undefined> {
    const resources = JSON.parse(endpoint.resources) as ResourceName[];
    const filters = JSON.parse(endpoint.filters) as WebhookFilters;
    const positions = new Map(
      (await this.#db.selectFrom('webhook_positions').selectAll().where('endpoint_id', '=', endpoint.id).execute()).map(
        (p) => [p.resource, p],
      ),
    );
    const pending = resources.find((r) => positions.get(r)?.pending_txid != null);
    const start = this.#rotation++ % Math.max(resources.length, 1);
    const order = pending ? [pending] : [...resources.slice(start), ...resources.slice(0, start)];
    for (const resource of order) {
      const position = positions.get(resource);
      if (!position) continue;
      const slice = await this.#read(resource, endpoint, position, filters[resource] ?? {});
      let rows = slice.rows;
      if (position.pending_txid != null && position.pending_seq != null) {
        const limit: FeedPosition = [position.pending_txid, position.pending_seq];
        rows = rows.filter((row) => !after(row.position, limit));
      }
      if (rows.length === 0) {
        // Nothing (left) to send from this feed: move up to what it has considered.
        const to = position.pending_txid != null ? [position.pending_txid, position.pending_seq!] : slice.caughtUp;
        if (after(to as FeedPosition, [position.txid, position.seq]) || position.pending_txid != null) {
          await this.#fenced(endpoint.id, owner, async (trx) => {
            await trx
              .updateTable('webhook_positions')
              .set({ txid: to[0]!, seq: to[1]!, pending_txid: null, pending_seq: null })
              .where('endpoint_id', '=', endpoint.id)
              .where('resource', '=', resource)
              .where(unchangedSince(position))
              .execute();
          });
        }
        if (pending) return this.#nextSpan({ ...endpoint }, owner);
        continue;
      }
      const last = rows[rows.length - 1]!.position;
      if (position.pending_txid == null && rows.length < endpoint.batch_size) {
        // A short batch could come out longer if it were read again later: fix its span before
        // sending, so that a retry, even by another instance after a crash, has the same id.
        await this.#fenced(endpoint.id, owner, async (trx) => {
          await trx
            .updateTable('webhook_positions')
            .set({ pending_txid: last[0], pending_seq: last[1] })
            .where('endpoint_id', '=', endpoint.id)
            .where('resource', '=', resource)
            .where(unchangedSince(position))
            .execute();
        });
      }
      return {
        resource,
        after: [position.txid, position.seq],
        first: rows[0]!.position,
        last: rows[rows.length - 1]!.position,
        items: rows.map((row) => row.item),
      };
    }
    return undefined;
  }

  async #read(
    resource: ResourceName,
    endpoint: WebhookEndpointRow,
    position: WebhookPositionRow,
    rawFilters: Record<string, string>,
  ) {
    const { filters } = parseResourceFilters(resource, rawFilters);
    const table = RESOURCES[resource].table;
    return readFeedSlice<Record<string, unknown>>(
      this.#db,
      [position.txid, position.seq],
      endpoint.batch_size,
      (db, afterPosition, xmin, take) =>
        changesQuery(db, table as never, {
          tenantId: endpoint.tenant_id,
          filters: filters as never,
          after: afterPosition,
          xmin,
          from: position.from_time ?? undefined,
          take,
        }).execute() as never,
    );
  }

  /** Deletes delivery log rows older than 30 days, now and then. */
  async #pruneNowAndThen(): Promise<void> {
    const every = Math.max(HOUR * this.#options.timeScale, 1_000);
    if (Date.now() - this.#lastPrune < every) return;
    this.#lastPrune = Date.now();
    await this.#db
      .deleteFrom('webhook_deliveries')
      .where('started_at', '<', new Date(Date.now() - DELIVERY_LOG_RETENTION_MS * this.#options.timeScale))
      .execute();
  }
}

function after(a: FeedPosition, b: FeedPosition): boolean {
  const [ta, sa, tb, sb] = [BigInt(a[0]), BigInt(a[1]), BigInt(b[0]), BigInt(b[1])];
  return ta > tb || (ta === tb && sa > sb);
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}

/**
 * Only if the position is still the one this loop read: an admin's replay (or a re-enable)
 * in the meantime wins over the loop's bookkeeping, as it does over `#delivered`'s move.
 */
function unchangedSince(position: WebhookPositionRow) {
  return sql<boolean>`txid = ${position.txid} and seq = ${position.seq}
    and from_time is not distinct from ${position.from_time}
    and pending_txid is not distinct from ${position.pending_txid}`;
}
