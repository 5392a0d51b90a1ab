import path from 'node:path';
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const integer = (min: number, max: number) =>
  z.string().regex(/^\d+$/, 'must be a whole number').transform(Number).pipe(z.number().int().min(min).max(max));

function protocolOf(url: string): string {
  try {
    return new URL(url).protocol;
  } catch {
    return '';
  }
}

const postgresUrl = z
  .string()
  .url('must be a URL such as postgres://user@host:5432/db')
  .refine((url) => /^postgres(ql)?:$/.test(protocolOf(url)), 'must use the postgres:// scheme');

const redisUrl = z
  .string()
  .url('must be a URL such as redis://127.0.0.1:6379')
  .refine((url) => /^rediss?:$/.test(protocolOf(url)), 'must use the redis:// or rediss:// scheme');

/** The environment the server and the CLI read, validated once at start-up. */
const EnvSchema = z.object({
  PORT: integer(0, 65535).default('4001'),
  HOST: z.string().min(1).optional(),
  DATABASE_URL: postgresUrl.optional(),
  DATABASE_REPLICA_URL: z
    .string()
    .transform((list) => list.split(',').map((url) => url.trim()))
    .pipe(z.array(postgresUrl).min(1))
    .optional(),
  REPLICA_MAX_LAG_MS: integer(0, 3_600_000).default('5000'),
  DATA_DIR: z.string().min(1).default('.data'),
  REDIS_URL: redisUrl.optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  API_KEY_PEPPER: z.string().min(16, 'must be at least 16 characters').optional(),
  TRUST_PROXY: z
    .string()
    .regex(/^(true|false|\d+|[\w.:/, -]+)$/, "must be 'true', 'false', a hop count, or a list of addresses")
    .default('false'),
  RATE_LIMIT_PER_MINUTE: integer(1, 1_000_000).default('600'),
  AUTH_FAILURES_PER_MINUTE: integer(1, 1_000_000).default('30'),
  ANONYMOUS_PER_MINUTE: integer(1, 1_000_000).default('600'),
  // Tests only, and not in the README's table on purpose: see Config.rateLimitWindowSeconds.
  RATE_LIMIT_WINDOW_SECONDS: integer(1, 60).default('60'),
  SHUTDOWN_TIMEOUT_MS: integer(0, 600_000).default('10000'),
  DEMO_DATA: z.enum(['true', 'false']).default('true'),
  PUBLIC_URL: z
    .string()
    .url('must be an absolute URL such as https://api.example.com')
    .refine((url) => /^https?:$/.test(protocolOf(url)), 'must use http:// or https://')
    .optional(),
  DASHBOARD_SESSION_IDLE_MS: integer(1_000, 7 * 24 * 3_600_000).default(String(30 * 60_000)),
  DASHBOARD_SESSION_MAX_MS: integer(1_000, 30 * 24 * 3_600_000).default(String(12 * 3_600_000)),
  DASHBOARD_REQUIRE_MFA: z.enum(['true', 'false']).default('false'),
  DASHBOARD_SIGN_IN_FAILURES_PER_MINUTE: integer(1, 1_000).default('5'),
  DASHBOARD_MAX_KEY_RATE_LIMIT: integer(1, 1_000_000).default('6000'),
  METRICS_PORT: integer(0, 65535).optional(),
  METRICS_TOKEN: z
    .string()
    .min(16, 'must be at least 16 characters (e.g. openssl rand -hex 32)')
    .regex(/^\S+$/, 'must not contain spaces')
    .optional(),
  MAINTENANCE_INTERVAL_MS: integer(0, 7 * 24 * 3_600_000).default(String(3_600_000)),
  HOT_PATH: z.enum(['on', 'off']).default('on'),
  WEBHOOK_WORKERS: integer(0, 64).default('4'),
  WEBHOOK_ALLOW_HTTP: z.enum(['true', 'false']).default('false'),
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: z.enum(['true', 'false']).default('false'),
  // Tests only: scales the design's durations (retry schedule, 3-day disable, 24 h secret
  // overlap, 30-day log retention) and shortens the 10 s delivery timeout.
  WEBHOOK_TEST_TIME_SCALE: z
    .string()
    .regex(/^(0|[1-9]\d*)?(\.\d+)?$/, 'must be a number between 0 and 1')
    .transform(Number)
    .pipe(z.number().gt(0).max(1))
    .optional(),
  WEBHOOK_TEST_TIMEOUT_MS: integer(50, 10_000).optional(),
});

export interface Config {
  port: number;
  /**
   * The interface to listen on. Unset: loopback on the embedded database (a laptop or demo
   * start is not reachable from the network), every interface with DATABASE_URL (a deployment
   * behind a load balancer or in a container).
   */
  host: string;
  /** PostgreSQL when set; the embedded PGlite in `dataDir` otherwise. */
  databaseUrl: string | undefined;
  /** Hot standbys of `databaseUrl` that serve lists, details and changes feeds (see db/read-replicas.ts). */
  replicas: {
    urls: string[];
    /** A replica further behind the primary than this is skipped: reads go to the primary. */
    maxLagMs: number;
    /** How often each replica's lag is measured. */
    probeIntervalMs: number;
  };
  dataDir: string;
  redisUrl: string | undefined;
  logLevel: (typeof LOG_LEVELS)[number];
  apiKeyPepper: string | undefined;
  /** Express `trust proxy` setting, already parsed. */
  trustProxy: boolean | number | string;
  rateLimitPerMinute: number;
  authFailuresPerMinute: number;
  anonymousPerMinute: number;
  /**
   * The length of every rate-limit window (`RATE_LIMIT_WINDOW_SECONDS`, default 60). For tests
   * only: a test that waits out a real `Retry-After` sets it to a few seconds instead of a
   * minute. The `*_PER_MINUTE` limits count per window, so deployments leave it unset.
   */
  rateLimitWindowSeconds: number;
  shutdownTimeoutMs: number;
  /** Seed a demo tenant and key on the first start of an empty embedded database. */
  demoData: boolean;
  /**
   * The origin browsers reach the server at (`PUBLIC_URL`), e.g. https://api.example.com: the
   * dashboard's CSRF check compares `Origin` with it, and set-password links start with it.
   * Unset: the request's own Host (and http://localhost:<PORT> in CLI links).
   */
  publicOrigin: string | undefined;
  /**
   * How often the server runs the retention pass (one instance at a time, by lease); 0 turns
   * it off (run `pnpm admin maintenance run` from cron instead). The first pass runs one
   * interval after start.
   */
  maintenanceIntervalMs: number;
  /**
   * `HOT_PATH=off`: every request goes through Express, none through the hot path
   * (`http/hot-path.ts`). For comparing the two; the answers are the same.
   */
  hotPath: boolean;
  dashboard: {
    sessionIdleMs: number;
    sessionMaxMs: number;
    /** Admins must enrol TOTP before they can open Settings. */
    requireMfa: boolean;
    /** Failed sign-ins per account per minute before further attempts get 429. */
    signInFailuresPerMinute: number;
    /** The highest per-key rate limit a dashboard admin may set. */
    maxKeyRateLimit: number;
  };
  metrics: {
    /**
     * `METRICS_PORT`: serve `GET /metrics` (no token) on this port of `host`; undefined: no
     * metrics listener (0: an ephemeral port, for tests).
     */
    port: number | undefined;
    /** `METRICS_TOKEN`: also serve `GET /metrics` on the API port to `Authorization: Bearer <token>`. */
    token: string | undefined;
  };
  webhooks: WebhookConfig;
}

/** Webhook push delivery (apps/server/src/webhooks). */
export interface WebhookConfig {
  /** Concurrent delivery loops in this instance (`WEBHOOK_WORKERS`); 0 turns delivery off here. */
  workers: number;
  /** Accept `http://` endpoint URLs (development and tests only). */
  allowHttp: boolean;
  /** Accept endpoints on loopback, private, link-local… addresses (development and tests only). */
  allowPrivateNetworks: boolean;
  /** Tests only (`WEBHOOK_TEST_TIME_SCALE`): 1 in production. */
  timeScale: number;
  /** Connect + response timeout of one delivery: 10 s (`WEBHOOK_TEST_TIMEOUT_MS` in tests). */
  timeoutMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function parseTrustProxy(raw: string): boolean | number | string {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (/^\d+$/.test(raw)) return Number(raw);
  return raw;
}

/** Parses the environment; throws a ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  // An empty variable means "unset", as in most deployment tools.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const e = parsed.data;
  if (e.DATABASE_REPLICA_URL && !e.DATABASE_URL) {
    throw new ConfigError([
      'DATABASE_REPLICA_URL: needs DATABASE_URL (replicas are standbys of a PostgreSQL primary; the embedded database has none)',
    ]);
  }
  if (e.METRICS_PORT !== undefined && e.METRICS_PORT !== 0 && e.METRICS_PORT === e.PORT) {
    throw new ConfigError([`METRICS_PORT: must differ from PORT (${e.PORT})`]);
  }
  return {
    port: e.PORT,
    host: e.HOST ?? (e.DATABASE_URL ? '0.0.0.0' : '127.0.0.1'),
    databaseUrl: e.DATABASE_URL,
    replicas: { urls: e.DATABASE_REPLICA_URL ?? [], maxLagMs: e.REPLICA_MAX_LAG_MS, probeIntervalMs: 1_000 },
    dataDir: path.resolve(cwd, e.DATA_DIR),
    redisUrl: e.REDIS_URL,
    logLevel: e.LOG_LEVEL,
    apiKeyPepper: e.API_KEY_PEPPER,
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    authFailuresPerMinute: e.AUTH_FAILURES_PER_MINUTE,
    anonymousPerMinute: e.ANONYMOUS_PER_MINUTE,
    rateLimitWindowSeconds: e.RATE_LIMIT_WINDOW_SECONDS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    demoData: e.DEMO_DATA === 'true',
    hotPath: e.HOT_PATH === 'on',
    publicOrigin: e.PUBLIC_URL ? new URL(e.PUBLIC_URL).origin : undefined,
    maintenanceIntervalMs: e.MAINTENANCE_INTERVAL_MS,
    dashboard: {
      sessionIdleMs: e.DASHBOARD_SESSION_IDLE_MS,
      sessionMaxMs: e.DASHBOARD_SESSION_MAX_MS,
      requireMfa: e.DASHBOARD_REQUIRE_MFA === 'true',
      signInFailuresPerMinute: e.DASHBOARD_SIGN_IN_FAILURES_PER_MINUTE,
      maxKeyRateLimit: e.DASHBOARD_MAX_KEY_RATE_LIMIT,
    },
    metrics: { port: e.METRICS_PORT, token: e.METRICS_TOKEN },
    webhooks: {
      workers: e.WEBHOOK_WORKERS,
      allowHttp: e.WEBHOOK_ALLOW_HTTP === 'true',
      allowPrivateNetworks: e.WEBHOOK_ALLOW_PRIVATE_NETWORKS === 'true',
      timeScale: e.WEBHOOK_TEST_TIME_SCALE ?? 1,
      timeoutMs: e.WEBHOOK_TEST_TIMEOUT_MS ?? 10_000,
    },
  };
}

/** Where people open the dashboard: `PUBLIC_URL`, or this machine's port. For links printed by the CLI. */
export function dashboardOrigin(config: Pick<Config, 'publicOrigin' | 'port'>): string {
  return config.publicOrigin ?? `http://localhost:${config.port}`;
}
