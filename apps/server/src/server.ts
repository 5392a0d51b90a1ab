import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { touchApiKeys } from './api-keys/api-keys.repository';
import { createApp } from './app';
import { LastUsedRecorder } from './auth/last-used-recorder';
import type { Config } from './config';
import { openDatabase, type DatabaseHandle } from './db/database';
import { migrateToLatest } from './db/migrate';
import { ReadReplicas } from './db/read-replicas';
import { answerMalformedRequest } from './http/client-error';
import { serverSecret } from './db/server-secrets';
import { CursorCodec } from './pagination/cursor-codec';
import type { Logger } from './logger';
import { MaintenanceScheduler } from './maintenance/maintenance-scheduler';
import { RateLimiter } from './rate-limit/rate-limiter';
import { TOTP_KEY_SECRET_NAME, TotpSecretBox } from './users/totp';
import { listenForMetrics } from './metrics/metrics-endpoint';
import { ServerMetrics } from './metrics/server-metrics';
import { postgresPoolOf } from './db/postgres-pool';
import { RESOURCES } from './resources/registry';
import { webhookOptionsFromConfig } from './webhooks/webhook-endpoints.service';
import { webhookBacklog } from './webhooks/webhook-backlog';
import { WebhookWorker } from './webhooks/webhook-worker';

export interface RunningServer {
  /** Where to reach the server from this machine, e.g. http://127.0.0.1:4001 */
  url: string;
  /** What the server binds, e.g. http://0.0.0.0:4001 (every interface); `url` when it binds one. */
  boundUrl: string;
  database: DatabaseHandle;
  /** The read replicas, when `DATABASE_REPLICA_URL` names any. */
  replicas: ReadReplicas | undefined;
  rateLimiter: RateLimiter;
  /** The Prometheus registry; sources from other subsystems register on it (see ServerMetrics). */
  metrics: ServerMetrics;
  /** `http://host:port/metrics` when METRICS_PORT is set. */
  metricsUrl: string | undefined;
  /** Stops accepting connections, lets in-flight requests finish, then releases everything. */
  close(): Promise<void>;
}

export interface StartServerOptions {
  /** Use this database instead of opening the configured one (tests share one). It is not closed. */
  database?: DatabaseHandle;
  /** Runs once the schema is ready, before the server listens (first-start demo data). */
  beforeListen?: (database: DatabaseHandle) => Promise<void>;
  /** Namespace for rate-limit counters in Redis (tests isolate themselves with it). */
  rateLimitPrefix?: string;
  /**
   * How long a Redis command may take before the limiter answers from memory (default 500 ms).
   * Tests that assert one shared counter raise it: two instances in one busy test process can
   * stall past 500 ms, and the memory fallback is then the designed answer, not a failure.
   */
  redisCommandTimeoutMs?: number;
}

/** Opens the database, migrates it, and serves the API on `config.port`. */
export async function startServer(
  config: Config,
  logger: Logger,
  options: StartServerOptions = {},
): Promise<RunningServer> {
  const ownsDatabase = options.database === undefined;
  const database =
    options.database ??
    (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, serveEmbedded: true, logger }));
  let replicas: ReadReplicas | undefined;
  const metrics = new ServerMetrics({
    db: database.db,
    resourceTables: Object.fromEntries(Object.values(RESOURCES).map((r) => [r.name, r.table.table])),
    logger,
    processMetrics: config.metrics.port !== undefined || config.metrics.token !== undefined,
  });
  // Every client's own 'error' (idle or checked out; the pool's 'error' repeats the idle ones),
  // from the first connection on: migrations use the pool too.
  postgresPoolOf(database.db)?.on('connect', (client) =>
    client.on('error', () => metrics.databaseError('connection_lost')),
  );
  try {
    if (config.replicas.urls.length > 0 && database.engine !== 'postgres') {
      throw new Error(
        'DATABASE_REPLICA_URL needs DATABASE_URL: read replicas are standbys of a PostgreSQL primary, and the embedded database has none',
      );
    }
    const applied = await migrateToLatest(database.db);
    if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
    await options.beforeListen?.(database);
    if (config.replicas.urls.length > 0) {
      replicas = new ReadReplicas({ ...config.replicas, primary: database.db, poolSize: 10, logger });
      // Measured once before listening, so the first reads can use them; one that is down or
      // behind is skipped (and re-measured every probe interval), it never stops the start.
      await replicas.probe();
      logger.info({ replicas: replicas.status() }, 'read replicas');
      const measured = replicas;
      metrics.registerReplicaLagSource(() =>
        measured.status().map((replica) => ({
          replica: replica.name,
          up: replica.inUse,
          lagSeconds: replica.lagMs === null ? null : replica.lagMs / 1000,
        })),
      );
    }
  } catch (err) {
    await replicas?.close();
    if (ownsDatabase) await database.close();
    throw err;
  }

  const rateLimiter = new RateLimiter({
    redisUrl: config.redisUrl,
    keyDefaultPerMinute: config.rateLimitPerMinute,
    authFailuresPerMinute: config.authFailuresPerMinute,
    anonymousPerMinute: config.anonymousPerMinute,
    windowSeconds: config.rateLimitWindowSeconds,
    signInFailuresPerMinute: config.dashboard.signInFailuresPerMinute,
    keyPrefix: options.rateLimitPrefix,
    commandTimeoutMs: options.redisCommandTimeoutMs,
    logger,
    onRejected: (limit) => metrics.rateLimited(limit),
  });
  const lastUsed = new LastUsedRecorder((uses) => touchApiKeys(database.db, uses), logger);
  const cursors = new CursorCodec(await serverSecret(database.db, 'cursor-signing-key'));
  const totpSecrets = new TotpSecretBox(await serverSecret(database.db, TOTP_KEY_SECRET_NAME));
  const { listener } = createApp({
    config,
    db: database.db,
    replicas,
    logger,
    rateLimiter,
    lastUsed,
    cursors,
    totpSecrets,
    metrics,
  });

  const server: Server = await new Promise((resolve, reject) => {
    const listening = createServer(listener).listen(config.port, config.host);
    listening.once('listening', () => resolve(listening));
    listening.once('error', reject);
  });
  server.keepAliveTimeout = 65_000; // longer than common load balancers' idle timeout
  // While draining, every response closes its connection. `server.close()` only closes the
  // connections idle at that moment: one whose request is in flight would stay open after its
  // response (keep-alive, 65 s), take new requests, delay the exit until the shutdown timeout,
  // and then be cut in the middle of whatever it was doing.
  let draining = false;
  const inFlight = new Set<ServerResponse>();
  const responding = new WeakMap<Socket, number>();
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    if (draining) res.setHeader('Connection', 'close');
    inFlight.add(res);
    responding.set(req.socket, (responding.get(req.socket) ?? 0) + 1);
    res.once('close', () => {
      inFlight.delete(res);
      responding.set(req.socket, (responding.get(req.socket) ?? 1) - 1);
      if (draining) setImmediate(() => server.closeIdleConnections());
    });
  });
  server.on(
    'clientError',
    answerMalformedRequest(logger, (socket) => (responding.get(socket) ?? 0) > 0),
  );
  const maintenance =
    config.maintenanceIntervalMs > 0
      ? new MaintenanceScheduler(database.db, config.maintenanceIntervalMs, logger)
      : undefined;
  maintenance?.start();
  // Webhook push delivery runs in the server process (WEBHOOK_WORKERS=0: not on this instance).
  const webhooks = new WebhookWorker(database.db, {
    ...webhookOptionsFromConfig(config),
    workers: config.webhooks.workers,
    timeoutMs: config.webhooks.timeoutMs,
    timeScale: config.webhooks.timeScale,
    logger,
  });
  webhooks.start();
  metrics.registerWebhookLagSource(() => webhookBacklog(database.db));
  const { port } = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const urlOf = (h: string, p = port) => `http://${h.includes(':') ? `[${h}]` : h}:${p}`;
  let metricsServer: Server | undefined;
  try {
    if (config.metrics.port !== undefined) {
      metricsServer = await listenForMetrics({ metrics, port: config.metrics.port, host: config.host, logger });
    }
  } catch (err) {
    server.close();
    await rateLimiter.close();
    if (ownsDatabase) await database.close();
    throw err;
  }
  const metricsUrl = metricsServer
    ? `${urlOf(host, (metricsServer.address() as AddressInfo).port)}/metrics`
    : undefined;
  logger.info(
    {
      host: config.host,
      port,
      engine: database.engine,
      rateLimitStore: config.redisUrl ? 'redis' : 'memory',
      metrics: metricsUrl ?? (config.metrics.token ? 'api port, token' : 'off'),
    },
    'listening',
  );

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      draining = true;
      for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
      const drained = new Promise<void>((resolve) => server.close(() => resolve()));
      metricsServer?.close();
      metricsServer?.closeAllConnections();
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), config.shutdownTimeoutMs);
      await Promise.all([drained, webhooks.stop()]);
      clearTimeout(timer);
      await maintenance?.close();
      await lastUsed.close();
      await rateLimiter.close();
      await replicas?.close();
      if (ownsDatabase) await database.close();
    })());

  return {
    url: urlOf(host),
    boundUrl: urlOf(config.host),
    database,
    replicas,
    rateLimiter,
    metrics,
    metricsUrl,
    close,
  };
}
