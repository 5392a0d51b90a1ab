import type { Pool } from 'pg';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Db } from '../db/database';
import type { Logger } from '../logger';
import type { RateLimitName } from '../rate-limit/rate-limiter';
import { postgresPoolOf } from '../db/postgres-pool';
import { readDatabaseSnapshot, type DatabaseSnapshot } from './metrics.repository';

/** Every series this server defines starts with it; prom-client's process_* and nodejs_* keep their standard names. */
export const METRIC_PREFIX = 'onesecurity_';

/** Why a request's credential was refused (a 401, or a 429 once the per-IP guard is spent). */
export type AuthFailureReason =
  | 'missing_key' // a protected route without a key
  | 'invalid_key' // a key that is malformed, unknown, revoked or expired when verified
  | 'key_not_live' // a verified key found revoked or expired by the data statement itself
  | 'dashboard_sign_in' // a wrong email, password or TOTP code on the dashboard
  | 'metrics_token'; // GET /metrics on the API port with a wrong or missing METRICS_TOKEN

/** A database error a request or the server met. */
export type DatabaseErrorKind =
  | 'unavailable' // connection refused, lost, timed out, statement timeout: answered 503
  | 'statement' // any other error a statement raised that reached a request: answered 500
  | 'connection_lost'; // an open connection dropped (pool 'error' event)

/** One read replica as the replica router sees it. `replica` must not contain credentials. */
export interface ReplicaLagSample {
  /** A stable, credential-free name such as `db-replica-1:5432`. */
  replica: string;
  /** False when it is down or skipped (lag beyond REPLICA_MAX_LAG_MS). */
  up: boolean;
  /** Replay lag in seconds, null when unknown (down). */
  lagSeconds: number | null;
}
export type ReplicaLagSource = () => ReplicaLagSample[] | Promise<ReplicaLagSample[]>;

/** Outbound webhook deliveries still to be made. */
export interface WebhookLagSample {
  /** Seconds the oldest undelivered delivery has waited (0 when none). */
  oldestPendingSeconds: number;
  /** Deliveries waiting (including those waiting for a retry). */
  pending: number;
}
export type WebhookLagSource = () => WebhookLagSample | Promise<WebhookLagSample>;

/** Request-duration buckets (seconds): a cached list answers in ~1 ms, a deep page or a COPY-sized one in seconds. */
/** prom-client defaults that break the Prometheus naming rules (see the constructor). */
const NON_CONFORMING_DEFAULTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface ServerMetricsOptions {
  db: Db;
  /** The resources' tables by resource name, for the stored-row counters. */
  resourceTables: Record<string, string>;
  logger: Logger;
  /** Collect prom-client's process and Node.js metrics (only when metrics are exposed). */
  processMetrics: boolean;
}

/**
 * The server's Prometheus registry and every series it defines. One per server instance (tests
 * run several in one process), created by `startServer`. Counters of rare events (auth failures,
 * 429s, database errors) are always counted; the per-request histogram and the process metrics
 * run only when metrics are exposed (METRICS_PORT or METRICS_TOKEN), so a server without them
 * pays nothing per request.
 *
 * Database-derived series (pool, feed lag, stored rows, database up) are read when scraped:
 * one query per scrape, nothing on the request path.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly #authFailures: Counter<'reason'>;
  readonly #rateLimited: Counter<'limit'>;
  readonly #databaseErrors: Counter<'kind'>;
  readonly #hotPath: Counter;
  readonly #logger: Logger;
  readonly #options: ServerMetricsOptions;
  #snapshot: Promise<DatabaseSnapshot | undefined> | undefined;
  #replicaSource: ReplicaLagSource | undefined;
  #webhookSource: WebhookLagSource | undefined;

  constructor(options: ServerMetricsOptions) {
    this.#options = options;
    this.#logger = options.logger;
    const registers = [this.registry];
    this.httpDuration = new Histogram({
      name: `${METRIC_PREFIX}http_request_duration_seconds`,
      help: 'HTTP requests by method, route template and status: time from arrival to the last byte sent. Its _count is the request count.',
      labelNames: ['method', 'route', 'status'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.#authFailures = new Counter({
      name: `${METRIC_PREFIX}auth_failures_total`,
      help: 'Refused credentials, by reason (missing_key, invalid_key, key_not_live, dashboard_sign_in, metrics_token).',
      labelNames: ['reason'],
      registers,
    });
    this.#rateLimited = new Counter({
      name: `${METRIC_PREFIX}rate_limit_rejections_total`,
      help: 'Requests refused by a rate-limit budget (answered 429), by budget (api_key, auth_failures, anonymous, sign_in).',
      labelNames: ['limit'],
      registers,
    });
    this.#databaseErrors = new Counter({
      name: `${METRIC_PREFIX}database_errors_total`,
      help: 'Database errors, by kind: unavailable (answered 503), statement (answered 500), connection_lost (a pooled connection dropped).',
      labelNames: ['kind'],
      registers,
    });
    this.#hotPath = new Counter({
      name: `${METRIC_PREFIX}http_hot_path_requests_total`,
      help: 'Requests the hot path took instead of Express: GETs of lists, feeds and ping with a key this instance had verified (http/hot-path.ts). A low share of all requests means keys are verified afresh (many keys, or HOT_PATH=off).',
      registers,
    });
    this.#defineDatabaseSeries(registers);
    if (options.processMetrics) {
      collectDefaultMetrics({ register: this.registry });
      // Gauges named like counters, which `promtool check metrics` rejects; nodejs_active_handles
      // and nodejs_active_requests (by type) carry the same numbers.
      for (const name of NON_CONFORMING_DEFAULTS) this.registry.removeSingleMetric(name);
    }
  }

  authFailed(reason: AuthFailureReason): void {
    this.#authFailures.inc({ reason });
  }

  rateLimited(limit: RateLimitName): void {
    this.#rateLimited.inc({ limit });
  }

  hotPathTook(): void {
    this.#hotPath.inc();
  }

  databaseError(kind: DatabaseErrorKind): void {
    this.#databaseErrors.inc({ kind });
  }

  /**
   * REGISTRATION POINT for the read-replica router (wired by the lead at merge): `fn` is called
   * on every scrape and reported as `onesecurity_replica_up{replica}` and
   * `onesecurity_replica_lag_seconds{replica}`. Until it is called the two series are absent.
   * A second call replaces the first source.
   */
  registerReplicaLagSource(fn: ReplicaLagSource): void {
    const first = this.#replicaSource === undefined;
    this.#replicaSource = fn;
    if (!first) return;
    const registers = [this.registry];
    const samples = () => this.#sample('replica', () => this.#replicaSource?.() ?? []);
    new Gauge({
      name: `${METRIC_PREFIX}replica_up`,
      help: '1 when the read replica serves reads, 0 when it is down or lags beyond REPLICA_MAX_LAG_MS (reads then go to the primary).',
      labelNames: ['replica'],
      registers,
      async collect() {
        this.reset();
        for (const s of await samples()) this.set({ replica: s.replica }, s.up ? 1 : 0);
      },
    });
    new Gauge({
      name: `${METRIC_PREFIX}replica_lag_seconds`,
      help: 'Replay lag of the read replica behind the primary, in seconds (absent while unknown).',
      labelNames: ['replica'],
      registers,
      async collect() {
        this.reset();
        for (const s of await samples()) if (s.lagSeconds !== null) this.set({ replica: s.replica }, s.lagSeconds);
      },
    });
  }

  /**
   * REGISTRATION POINT for outbound webhook delivery (wired by the lead at merge): `fn` is called
   * on every scrape and reported as `onesecurity_webhook_delivery_lag_seconds` and
   * `onesecurity_webhook_deliveries_pending`. Until it is called the two series are absent.
   * A second call replaces the first source.
   */
  registerWebhookLagSource(fn: WebhookLagSource): void {
    const first = this.#webhookSource === undefined;
    this.#webhookSource = fn;
    if (!first) return;
    const registers = [this.registry];
    const sample = () => this.#sample('webhook', async () => [await this.#webhookSource!()]);
    new Gauge({
      name: `${METRIC_PREFIX}webhook_delivery_lag_seconds`,
      help: 'Seconds the longest-failing enabled webhook endpoint has been failing to deliver its current message (0 when none is).',
      registers,
      async collect() {
        this.reset();
        const [s] = await sample();
        if (s) this.set(s.oldestPendingSeconds);
      },
    });
    new Gauge({
      name: `${METRIC_PREFIX}webhook_deliveries_pending`,
      help: 'Enabled webhook endpoints whose current message failed and waits for a retry.',
      registers,
      async collect() {
        this.reset();
        const [s] = await sample();
        if (s) this.set(s.pending);
      },
    });
  }

  /** The exposition text (Prometheus text format 0.0.4) and its content type. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** A source that throws must not fail the whole scrape: its series are left out and it is logged. */
  async #sample<T>(what: string, read: () => T[] | Promise<T[]>): Promise<T[]> {
    try {
      return await read();
    } catch (err) {
      this.#logger.warn({ err: (err as Error).message, source: what }, 'metrics source failed');
      return [];
    }
  }

  /**
   * One database round trip per scrape, shared by every series that needs it (prom-client
   * collects them concurrently). Undefined when the database did not answer.
   */
  #databaseSnapshot(): Promise<DatabaseSnapshot | undefined> {
    this.#snapshot ??= readDatabaseSnapshot(this.#options.db, this.#options.resourceTables)
      .catch((err: unknown) => {
        this.#logger.warn({ err: (err as Error).message }, 'metrics: database snapshot failed');
        return undefined;
      })
      .finally(() => setImmediate(() => (this.#snapshot = undefined)));
    return this.#snapshot;
  }

  #defineDatabaseSeries(registers: Registry[]): void {
    const snapshot = () => this.#databaseSnapshot();
    // Defined only where there is a pool: on the embedded database they would be invented zeros.
    const pool = postgresPoolOf(this.#options.db);
    if (pool) this.#definePoolSeries(registers, pool);
    new Gauge({
      name: `${METRIC_PREFIX}database_up`,
      help: '1 when the database answered the scrape-time query, 0 when it did not.',
      registers,
      async collect() {
        this.set((await snapshot()) ? 1 : 0);
      },
    });
    new Gauge({
      name: `${METRIC_PREFIX}changes_feed_lag_seconds`,
      help: 'How long the changes-feed horizon has been held back: the age of the oldest transaction with a transaction id still running on the cluster (0 when none). Rows committed meanwhile are not yet served by the feed.',
      registers,
      async collect() {
        // Left at its last value when the database does not answer (database_up says so).
        const s = await snapshot();
        if (s && s.feedLagSeconds !== null) this.set(s.feedLagSeconds);
      },
    });
    const rows = (name: string, help: string, pick: (r: DatabaseSnapshot['rows'][string]) => number) =>
      new Counter({
        name: `${METRIC_PREFIX}${name}`,
        help,
        labelNames: ['resource'],
        registers,
        async collect() {
          const s = await snapshot();
          if (!s) return; // the last values stay: a counter must not drop to nothing and back
          this.reset();
          for (const [resource, counts] of Object.entries(s.rows)) this.inc({ resource }, pick(counts));
        },
      });
    rows(
      'stored_rows_inserted_total',
      "Rows inserted into a resource's table by any writer (ingest, seed, the API's own audit events), from PostgreSQL's table statistics (since their last reset).",
      (r) => r.inserted,
    );
    rows(
      'stored_rows_updated_total',
      "Rows updated in a resource's table (an alert's new state), from PostgreSQL's table statistics.",
      (r) => r.updated,
    );
    rows(
      'stored_rows_deleted_total',
      "Rows deleted from a resource's table (retention), from PostgreSQL's table statistics.",
      (r) => r.deleted,
    );
  }

  /** Read from the pool itself, not the database: they stay truthful while the database is down. */
  #definePoolSeries(registers: Registry[], pool: Pool): void {
    new Gauge({
      name: `${METRIC_PREFIX}database_pool_connections`,
      help: 'PostgreSQL pool connections by state (total, idle); absent on the embedded database, which has one in-process connection.',
      labelNames: ['state'],
      registers,
      collect() {
        this.set({ state: 'total' }, pool.totalCount);
        this.set({ state: 'idle' }, pool.idleCount);
      },
    });
    new Gauge({
      name: `${METRIC_PREFIX}database_pool_waiting_requests`,
      help: 'Requests waiting for a free PostgreSQL pool connection; absent on the embedded database.',
      registers,
      collect() {
        this.set(pool.waitingCount);
      },
    });
  }
}
