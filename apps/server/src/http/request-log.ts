import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../logger';
import { redactSecrets } from './redact-secrets';
import { requestIdFor } from './request-id';

const STARTED = Symbol('requestStartedAt');
const LOGGER = Symbol('requestLogger');
const BASE = Symbol('requestBaseLogger');
const CHILD = Symbol('requestChildLogger');

type Tracked = Response & { [STARTED]: number; [LOGGER]: Logger | undefined };
type Logged = Request & { [BASE]?: Logger; [CHILD]?: Logger };

/**
 * The logger for a line about this request (error handler, refusals): its lines carry the
 * request id under `req.id` and, once the request is authenticated, `tenantId` and `keyId`
 * (never the secret). The child is made on the first line logged, not per request: most
 * requests log nothing but their access line, which `requestLog` writes with the same fields.
 */
export function isRequestLevelEnabled(req: Request, level: string): boolean {
  return (req as Logged)[BASE]?.isLevelEnabled(level) ?? false;
}

export function requestLogger(req: Request): Logger {
  const logged = req as Logged;
  const child = logged[CHILD];
  // A child made before authentication lacks the identity: make it again once.
  if (child && (!req.auth || (child.bindings() as { tenantId?: string }).tenantId)) return child;
  const base = logged[BASE];
  if (!base) throw new Error('requestLogger: the requestLog middleware is not installed');
  const auth = req.auth;
  return (logged[CHILD] = base.child(
    auth ? { req: { id: req.id }, tenantId: auth.tenantId, keyId: auth.keyId } : { req: { id: req.id } },
  ));
}

/** One line per answered request, as pino-http wrote it (same fields, messages and levels). */
function logOnce(res: Tracked, err: Error | undefined): void {
  const logger = res[LOGGER];
  if (!logger) return; // already logged (an 'error' before the 'close')
  res[LOGGER] = undefined;
  const failed = err !== undefined || res.statusCode >= 500;
  const level = failed ? 'error' : 'info';
  if (!logger.isLevelEnabled(level)) return;
  const req = res.req;
  const auth = req.auth;
  const fields = {
    // A key is only ever read from headers, but a client may still paste one into the URL.
    req: { id: req.id, method: req.method, url: redactSecrets(req.originalUrl || req.url) },
    res: { statusCode: res.statusCode },
    responseTime: Date.now() - res[STARTED],
    // Who asked, once authenticated (never the secret).
    ...(auth ? { tenantId: auth.tenantId, keyId: auth.keyId } : {}),
  };
  if (failed) {
    logger.error({ ...fields, err: err ?? new Error(`failed with status code ${res.statusCode}`) }, 'request errored');
  } else {
    logger.info(fields, !req.readableAborted && res.writableEnded ? 'request completed' : 'request aborted');
  }
}

// Shared listeners (`this` is the response): no closures per request.
function onClose(this: Tracked): void {
  logOnce(this, undefined);
}
function onError(this: Tracked, err: Error): void {
  logOnce(this, err);
}

/**
 * The request's id (the caller's well-formed `X-Request-Id`, else a fresh UUID: `req.id`, and
 * echoed in the response's `X-Request-Id`) and its access-log line once answered: `info`
 * "request completed" (or "request aborted"), `error` "request errored" for a 5xx or a
 * response stream error, with `req` {id, method, url with secrets redacted}, `res`
 * {statusCode} and `responseTime` in ms — the line pino-http wrote before, without its
 * per-request child logger and serializer chain (which ran even when `info` was disabled).
 */
export function requestLog(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    res.setHeader('X-Request-Id', trackRequest(logger, req, res));
    next();
  };
}

/**
 * What `requestLog` does but the header: gives the request its id (`req.id`, returned for the
 * caller to send as `X-Request-Id`) and arranges its access-log line. For the hot path
 * (`hot-path.ts`), which writes all of a response's headers at once.
 */
export function trackRequest(logger: Logger, req: Request, res: Response): string {
  const id = requestIdFor(req);
  req.id = id;
  (req as Logged)[BASE] = logger;
  const tracked = res as Tracked;
  tracked[STARTED] = Date.now();
  tracked[LOGGER] = logger;
  res.once('close', onClose);
  res.once('error', onError);
  return id;
}
