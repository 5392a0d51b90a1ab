import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { setRateLimitHeaders } from '../auth/authenticate';
import { ApiError, errors } from '../http/api-error';
import type { Logger } from '../logger';
import type { RateLimiter } from '../rate-limit/rate-limiter';
import type { ServerMetrics } from './server-metrics';

export const METRICS_PATH = '/metrics';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** True when the Authorization header is `Bearer <token>`: compared in constant time (equal-length digests). */
export function carriesMetricsToken(authorization: string | undefined, expected: Buffer): boolean {
  const presented = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '')?.[1] ?? '';
  return timingSafeEqual(digest(presented), expected);
}

/**
 * `GET /metrics` on the API port, behind `METRICS_TOKEN` (a Bearer token). Mounted only when the
 * token is configured: without it the path is an ordinary unknown path (404). A wrong or missing
 * token is a failed authentication: 401, spending the client IP's failed-auth budget (429 once
 * spent), exactly like a wrong API key.
 */
export function metricsOnApiPort(deps: { metrics: ServerMetrics; token: string; rateLimiter: RateLimiter }) {
  const expected = digest(deps.token);
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      if (!carriesMetricsToken(req.headers.authorization, expected)) {
        deps.metrics.authFailed('metrics_token');
        const decision = await deps.rateLimiter.consumeAuthFailure(req.ip ?? 'unknown');
        setRateLimitHeaders(res, decision);
        res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
        return next(
          decision.allowed
            ? new ApiError('UNAUTHENTICATED', 'Invalid or missing metrics token.')
            : errors.rateLimited(decision.retryAfter),
        );
      }
      const { contentType, body } = await deps.metrics.exposition();
      res.setHeader('Cache-Control', 'no-store');
      res.type(contentType).send(body);
    } catch (err) {
      next(err);
    }
  };
}

/**
 * The metrics listener on `METRICS_PORT`: `GET /metrics` and nothing else, no token (keep the
 * port on the internal network). Plain `node:http`: no API middleware, no request log per scrape.
 */
export async function listenForMetrics(options: {
  metrics: ServerMetrics;
  port: number;
  host: string;
  logger: Logger;
}): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== METRICS_PATH) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found: try GET /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res
        .writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' })
        .end('Method not allowed\n');
      return;
    }
    options.metrics.exposition().then(
      ({ contentType, body }) => {
        res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (err: unknown) => {
        options.logger.error({ err }, 'metrics exposition failed');
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('metrics unavailable\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
