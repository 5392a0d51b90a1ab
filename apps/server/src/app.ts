import { API_BASE_PATH, contract, DASHBOARD_API_BASE_PATH, dashboardContract } from '@1security/contract';
import { generateOpenApiDocument } from '@1security/contract/openapi';
import { DASHBOARD_BASE_PATH } from '@1security/dashboard/serve';
import { DOCS_CSP_DIRECTIVES, docsDirectory } from '@1security/docs/serve';
import { createExpressEndpoints } from '@ts-rest/express';
import compression from 'compression';
import type { RequestListener } from 'node:http';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import { authenticate, limitAnonymous, refuseDeadKeys, requireScope } from './auth/authenticate';
import type { LastUsedRecorder } from './auth/last-used-recorder';
import { VerifiedKeys } from './auth/verified-keys';
import type { Config } from './config';
import { dashboardSite } from './dashboard/dashboard-site';
import type { Db } from './db/database';
import { pingDatabase } from './db/database-health';
import { replicaStatus, type ReadReplicas } from './db/read-replicas';
import { errors } from './http/api-error';
import { errorHandler, isClientHttpError, toValidationError } from './http/error-handler';
import { useLeanJson } from './http/lean-json';
import { methodNotAllowed } from './http/method-not-allowed';
import { rejectNulCharacters } from './http/reject-nul-characters';
import { requestLog } from './http/request-log';
import { helmetHeaders, withHeaders } from './http/security-headers';
import { createHotPath } from './http/hot-path';
import type { Logger } from './logger';
import type { RateLimiter } from './rate-limit/rate-limiter';
import type { CursorCodec } from './pagination/cursor-codec';
import { createRouter } from './router';
import { createDashboardApi } from './dashboard/dashboard.router';
import type { TotpSecretBox } from './users/totp';
import { recordHttpMetrics, RouteTemplates } from './metrics/http-metrics';
import { METRICS_PATH, metricsOnApiPort } from './metrics/metrics-endpoint';
import type { ServerMetrics } from './metrics/server-metrics';

export interface AppDeps {
  config: Pick<Config, 'apiKeyPepper' | 'trustProxy' | 'publicOrigin' | 'dashboard' | 'metrics' | 'webhooks'> &
    Partial<Pick<Config, 'hotPath'>>;
  db: Db;
  /** Read replicas (`DATABASE_REPLICA_URL`) for lists, details and feeds; none: all reads on `db`. */
  replicas?: ReadReplicas | undefined;
  logger: Logger;
  rateLimiter: RateLimiter;
  lastUsed: LastUsedRecorder;
  cursors: CursorCodec;
  totpSecrets: TotpSecretBox;
  metrics: ServerMetrics;
}

/** Responses smaller than this are sent uncompressed. */
export const COMPRESSION_THRESHOLD_BYTES = 2048;

/** Every route path of a ts-rest contract, nested routers included. */
function routePaths(router: object): string[] {
  return Object.values(router).flatMap((entry: { path?: unknown }) =>
    typeof entry.path === 'string' ? [entry.path] : routePaths(entry),
  );
}

/**
 * The HTTP application: the Express app, and the listener to serve it with — the hot path
 * (`http/hot-path.ts`) in front of the app, or the app alone with `HOT_PATH=off`. It does
 * not listen: `server.ts` does.
 */
export function createApp(deps: AppDeps): { app: Express; listener: RequestListener } {
  const app = express();
  app.disable('x-powered-by');
  // A strict API: `/LOGS` and `/logs/` are not `/logs` (the OpenAPI document says so).
  // Set before any route: the app router reads them when it is created.
  app.enable('case sensitive routing');
  app.enable('strict routing');
  app.set('trust proxy', deps.config.trustProxy);
  // Express 5's default "simple" parser drops `a[]=` style arrays; the contract expects qs.
  app.set('query parser', 'extended');
  app.set('etag', false);
  useLeanJson(app);

  // The request id and the access log (the line pino-http wrote), then the metrics when
  // exposed, then helmet's headers (computed once at start-up).
  app.use(requestLog(deps.logger));
  const { metrics } = deps;
  const metricsExposed = deps.config.metrics.port !== undefined || deps.config.metrics.token !== undefined;
  const httpMetrics = metricsExposed
    ? recordHttpMetrics(metrics, new RouteTemplates([...routePaths(contract), ...routePaths(dashboardContract)]))
    : undefined;
  if (httpMetrics) app.use(httpMetrics);
  const security = helmetHeaders();
  app.use(withHeaders(security));
  // gzip or brotli (quality 4), as the client's Accept-Encoding asks, for bodies past 2 KB:
  // a 1,000-item page shrinks 7–8×. Smaller bodies are not worth the CPU. 64 KB zlib chunks
  // instead of 16 KB: a ~400 KB page then costs a handful of thread-pool hops and socket
  // writes instead of ~25 of each (measured: most of compression's CPU per page here).
  const compress = compression({ threshold: COMPRESSION_THRESHOLD_BYTES, chunkSize: 64 * 1024 });
  app.use(compress);
  // No conditional requests: lists and feeds change under the same URL, and Express would
  // answer `If-None-Match: *` with an empty 304. Every response is a full one.
  app.use((req, _res, next) => {
    delete req.headers['if-none-match'];
    delete req.headers['if-modified-since'];
    next();
  });

  // Before `authenticate`: its Bearer token is the metrics token, not an API key. Without
  // METRICS_TOKEN the path is not served here at all (an ordinary 404).
  const metricsToken = deps.config.metrics.token;
  if (metricsToken) {
    app.get(METRICS_PATH, metricsOnApiPort({ metrics, token: metricsToken, rateLimiter: deps.rateLimiter }));
  }

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const ready = await pingDatabase(deps.db);
    // Readiness is the primary's: without a replica reads fall back to it. Each replica's state
    // and lag are reported (never its credentials) so an operator sees one being skipped.
    const replicas = deps.replicas ? { replicas: replicaStatus(deps.replicas) } : {};
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'database unreachable', ...replicas });
  });

  // The docs site (apps/docs/dist), when built: public, on the anonymous per-IP budget, with
  // the Content-Security-Policy its bundled Redoc needs instead of helmet's default.
  const docs = docsDirectory();
  // A browser pointed at the server lands on the docs, or on the OpenAPI document when the
  // docs site has not been built. 302: where it leads may change with a build.
  app.get('/', limitAnonymous(deps.rateLimiter), (_req, res) => {
    res.redirect(302, docs ? '/docs/' : `${API_BASE_PATH}/openapi.json`);
  });
  if (docs) {
    app.use(
      '/docs',
      limitAnonymous(deps.rateLimiter),
      helmet.contentSecurityPolicy({ useDefaults: false, directives: DOCS_CSP_DIRECTIVES as Record<string, string[]> }),
      express.static(docs),
    );
  }

  // The dashboard app (apps/dashboard/dist), when built; its API under /dashboard/api is not its.
  const dashboard = dashboardSite(deps.rateLimiter);
  if (dashboard) app.use(DASHBOARD_BASE_PATH, dashboard);

  // Before `authenticate`: the dashboard's API knows only its session cookie, never an API key.
  // Only requests under its base path enter its router (matched as Express matches its mount
  // path: case-insensitively, with or without a trailing slash), so the API's requests are not
  // tried against each of its routes.
  const dashboardApi = createDashboardApi(deps);
  const underDashboardApi = new RegExp(
    `^${DASHBOARD_API_BASE_PATH.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:/|$)`,
    'i',
  );
  app.use((req, res, next) => (underDashboardApi.test(req.path) ? dashboardApi(req, res, next) : next()));

  const verifiedKeys = new VerifiedKeys();
  app.use(
    authenticate({
      verifiedKeys,
      db: deps.db,
      pepper: deps.config.apiKeyPepper,
      rateLimiter: deps.rateLimiter,
      lastUsed: deps.lastUsed,
      metrics,
    }),
  );

  const openApiDocument = JSON.stringify(generateOpenApiDocument());
  app.get(`${API_BASE_PATH}/openapi.json`, limitAnonymous(deps.rateLimiter), (_req, res) => {
    res.type('application/json').send(openApiDocument);
  });

  const router = createRouter({ db: deps.db, replicas: deps.replicas, cursors: deps.cursors });
  createExpressEndpoints(contract, router, app, {
    responseValidation: false,
    globalMiddleware: [requireScope({ rateLimiter: deps.rateLimiter, metrics }), rejectNulCharacters],
    requestValidationErrorHandler: (err, _req, _res, next) => next(toValidationError(err)),
  });

  app.use(limitAnonymous(deps.rateLimiter), methodNotAllowed(routePaths(contract)), (_req, _res, next) =>
    next(errors.notFound()),
  );
  // A request Express could not route (an undecodable path such as /logs/%zz) fails before any
  // budget was spent: spend the anonymous one, so it carries the rate-limit headers the
  // document declares on every 400.
  const errorMiddlewares = [
    (err: unknown, req: Request, res: Response, next: NextFunction) => {
      if (!isClientHttpError(err) || res.headersSent || res.hasHeader('X-RateLimit-Limit')) return next(err);
      void limitAnonymous(deps.rateLimiter)(req, res, (limited?: unknown) => next(limited ?? err));
    },
    refuseDeadKeys(verifiedKeys, metrics),
    errorHandler(metrics),
  ];
  for (const middleware of errorMiddlewares) app.use(middleware);

  if (deps.config.hotPath === false) return { app, listener: app };
  const listener = createHotPath({
    app,
    contract,
    router,
    verifiedKeys,
    pepper: deps.config.apiKeyPepper,
    rateLimiter: deps.rateLimiter,
    lastUsed: deps.lastUsed,
    logger: deps.logger,
    securityHeaders: security.set,
    compression: compress,
    compressionThreshold: COMPRESSION_THRESHOLD_BYTES,
    httpMetrics,
    metrics,
    errorHandlers: errorMiddlewares,
  });
  return { app, listener };
}
