import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { RouteMetadata } from '@1security/contract';
import { checkZodSchema, isAppRoute, TsRestResponseError, type AppRoute } from '@ts-rest/core';
import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import { hashSecret, isWellFormedSecret } from '../api-keys/api-key-secret';
import { credentialOf, rateLimitHeaders, recordUseWhenAnswered } from '../auth/authenticate';
import type { LastUsedRecorder } from '../auth/last-used-recorder';
import type { VerifiedKeys } from '../auth/verified-keys';
import type { Logger } from '../logger';
import type { ServerMetrics } from '../metrics/server-metrics';
import type { RateLimitDecision, RateLimiter } from '../rate-limit/rate-limiter';
import { errors } from './api-error';
import { containsNul } from './reject-nul-characters';
import { trackRequest } from './request-log';

/** A contract route's implementation, as ts-rest calls it. */
type Implementation = (args: {
  params: Record<string, string>;
  query: unknown;
  headers: unknown;
  body: undefined;
  req: Request;
  res: Response;
}) => Promise<{ status: number; body: unknown }>;

interface HotRoute {
  route: AppRoute;
  scope: string | null;
  implementation: Implementation;
}

export interface HotPathDeps {
  /** The Express app: every request the hot path does not take, and every refusal it renders. */
  app: Express;
  /** The contract and its implementations (`createRouter`), as handed to ts-rest. */
  contract: object;
  router: object;
  verifiedKeys: VerifiedKeys;
  pepper: string | undefined;
  rateLimiter: RateLimiter;
  lastUsed: LastUsedRecorder;
  logger: Logger;
  /** helmet's headers, as every Express response gets them (`helmetHeaders`). */
  securityHeaders: ReadonlyArray<readonly [string, string | number | readonly string[]]>;
  /** The app's response compression (`compression(...)`): runs on bodies it may compress. */
  compression: RequestHandler;
  /** Bodies smaller than this are never compressed (the compression middleware's threshold). */
  compressionThreshold: number;
  /** The HTTP metrics middleware, when metrics are exposed. */
  httpMetrics?: RequestHandler | undefined;
  metrics: Pick<ServerMetrics, 'hotPathTook'>;
  /** The app's error middlewares, in order: how a refusal or a fault is answered. */
  errorHandlers: ReadonlyArray<(err: unknown, req: Request, res: Response, next: NextFunction) => void>;
}

/** Every GET route of a contract without path parameters, paired with its implementation. */
function hotRoutes(contract: object, router: object): Map<string, HotRoute> {
  const routes = new Map<string, HotRoute>();
  const walk = (node: unknown, implementation: unknown) => {
    if (isAppRoute(node as AppRoute)) {
      const schema = node as AppRoute;
      const handler =
        typeof implementation === 'function' ? implementation : (implementation as { handler?: unknown }).handler;
      if (schema.method !== 'GET' || schema.pathParams || typeof handler !== 'function') return;
      if (typeof implementation !== 'function' && (implementation as { middleware?: unknown[] }).middleware?.length) {
        return; // a route with middleware of its own is Express's
      }
      const metadata = schema.metadata as RouteMetadata | undefined;
      routes.set(schema.path, {
        route: schema,
        scope: metadata?.scope ?? null,
        implementation: handler as Implementation,
      });
      return;
    }
    for (const key of Object.keys(node as object)) {
      walk((node as Record<string, unknown>)[key], (implementation as Record<string, unknown>)[key]);
    }
  };
  walk(contract, router);
  return routes;
}

const noop = () => {};

/**
 * The API's hot path: the requests SIEMs send all day — a GET of a list, a changes feed or
 * ping, with a key this instance has verified before — answered straight from `node:http`,
 * without walking Express's middleware stack and ts-rest's per-route layers. Everything else
 * goes to the Express app, which stays the one definition of the API's behaviour.
 *
 * It takes a request only when everything Express would decide before the handler can be
 * decided here without a side effect: the exact path of a contract route, the key known
 * (`VerifiedKeys`) and holding the route's scope, the headers and the query valid by the
 * route's own schemas (ts-rest's check, on the query as Express's parser reads it), no NUL
 * character. Anything else — a first use of a key, a bad key, a missing scope, a bad
 * parameter, HEAD, another method — is handed to Express untouched, which answers it (and
 * spends the budget) as always. From there on the request is the hot path's: it spends the
 * key's budget, calls the route's implementation (the same function ts-rest calls), and
 * answers with the headers Express would have sent; a refusal or a fault after that point
 * (rate limited, a key revoked since, a bad cursor, the database down) is rendered by the
 * app's own error middlewares. `test/hot-path.test.ts` compares both paths response by
 * response; `HOT_PATH=off` sends everything through Express.
 */
export function createHotPath(deps: HotPathDeps): RequestListener {
  const { app } = deps;
  const routes = hotRoutes(deps.contract, deps.router);
  const queryParser = app.get('query parser fn') as (query: string) => Record<string, unknown>;
  const fixedHeaders = deps.securityHeaders.flatMap(([name, value]) => [name, value]);

  /** The headers every answer of the hot path carries: Express's, in the order it sets them. */
  const headersFor = (requestId: string, decision: RateLimitDecision | undefined) => {
    const headers: Array<string | number | readonly string[]> = ['X-Request-Id', requestId, ...fixedHeaders];
    if (decision) for (const [name, value] of rateLimitHeaders(decision)) headers.push(name, value);
    return headers;
  };

  /** A 2xx from the implementation, as ts-rest's `res.status(…).json(…)` sends it. */
  const sendJson = (
    req: Request,
    res: Response,
    headers: Array<string | number | readonly string[]>,
    status: number,
    body: unknown,
  ) => {
    const text = JSON.stringify(body) ?? '';
    const length = Buffer.byteLength(text);
    // The compression middleware only ever compresses for a client that names an encoding
    // other than identity (no header, or an empty one, is identity); otherwise all it adds is Vary.
    const accepted = req.headers['accept-encoding'];
    if (length >= deps.compressionThreshold && accepted && accepted !== 'identity') {
      // Large enough to compress: through the app's compression middleware, which negotiates
      // Accept-Encoding and sets Vary, as on the Express path.
      deps.compression(req, res, noop);
      for (let i = 0; i < headers.length; i += 2) res.setHeader(headers[i] as string, headers[i + 1]!);
      res.statusCode = status;
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.setHeader('Content-Length', length);
      res.end(text);
      return;
    }
    // Too small, or not asked to compress: of the compression middleware, only its `Vary` is
    // left. All the headers in one `writeHead`, without a `setHeader` each.
    headers.push('Content-Type', 'application/json; charset=utf-8', 'Content-Length', length);
    headers.push('Vary', 'Accept-Encoding');
    res.writeHead(status, headers as string[]);
    res.end(text);
  };

  /** A refusal or a fault: the app's error middlewares answer it, on Express's request and response. */
  const sendError = (
    req: Request,
    res: Response,
    headers: Array<string | number | readonly string[]>,
    err: unknown,
  ) => {
    // What Express's `app.handle` does to every request it takes.
    Object.setPrototypeOf(req, app.request);
    Object.setPrototypeOf(res, app.response);
    (req as Request & { res: Response }).res = res;
    res.locals ??= Object.create(null) as Response['locals'];
    for (let i = 0; i < headers.length; i += 2) res.setHeader(headers[i] as string, headers[i + 1]!);
    deps.compression(req, res, noop);
    let index = 0;
    const next = (failure?: unknown) => {
      const handler = deps.errorHandlers[index++];
      if (failure === undefined) return;
      if (handler) handler(failure, req, res, next);
      else {
        deps.logger.error({ err: failure }, 'hot path: no error middleware answered');
        if (!res.headersSent) res.status(500).end();
        else res.destroy();
      }
    };
    next(err);
  };

  const serve = async (hot: HotRoute, req: Request, res: Response, query: unknown, headers: unknown) => {
    const auth = req.auth!;
    const requestId = trackRequest(deps.logger, req, res);
    deps.metrics.hotPathTook();
    deps.httpMetrics?.(req, res, noop);
    let decision: RateLimitDecision | undefined;
    try {
      decision = await deps.rateLimiter.consumeKey(auth.keyId, auth.rateLimit);
      if (!decision.allowed) throw errors.rateLimited(decision.retryAfter);
      recordUseWhenAnswered(res, deps.lastUsed, auth.keyId);
      let result: { status: number; body: unknown };
      try {
        result = await hot.implementation({ params: {}, query, headers, body: undefined, req, res });
      } catch (err) {
        if (!(err instanceof TsRestResponseError)) throw err;
        result = { status: err.statusCode, body: err.body };
      }
      sendJson(req, res, headersFor(requestId, decision), result.status, result.body);
    } catch (err) {
      sendError(req, res, headersFor(requestId, decision), err);
    }
  };

  return (incoming: IncomingMessage, response: ServerResponse) => {
    const req = incoming as Request;
    const res = response as Response;
    const url = req.url ?? '';
    if (req.method !== 'GET' || url.includes('#')) return app(req, res);
    const mark = url.indexOf('?');
    const hot = routes.get(mark === -1 ? url : url.slice(0, mark));
    if (!hot) return app(req, res);

    const secret = credentialOf(req);
    if (!secret || !isWellFormedSecret(secret)) return app(req, res);
    const identity = deps.verifiedKeys.get(hashSecret(secret, deps.pepper), Date.now());
    if (!identity || (hot.scope !== null && !identity.scopes.includes(hot.scope as never))) return app(req, res);

    const rawQuery = queryParser(mark === -1 ? '' : url.slice(mark + 1));
    if (containsNul(rawQuery)) return app(req, res);
    const headers = checkZodSchema(req.headers, hot.route.headers, { passThroughExtraKeys: true });
    const query = checkZodSchema(rawQuery, hot.route.query);
    if (!headers.success || !query.success) return app(req, res);

    req.originalUrl = url;
    req.auth = identity;
    (req as Request & { route: unknown }).route = { path: hot.route.path };
    serve(hot, req, res, query.data, headers.data).catch((err: unknown) => {
      // Only a fault before the error middlewares could answer (they catch everything after).
      deps.logger.error({ err }, 'hot path: request failed before it could be answered');
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  };
}
