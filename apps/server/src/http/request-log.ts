import type { Request } from 'express';
import type { Logger } from '../logger';

const WITH_IDENTITY = Symbol('requestLogWithIdentity');

type Logged = Request & { [WITH_IDENTITY]?: Logger };

/**
 * The logger for a line about this request: pino-http's `req.log` (its lines carry the request
 * id under `req.id`), and once the request is authenticated, a child that adds `tenantId` and
 * `keyId` (never the secret). The child is made on the first line logged, not per request:
 * most requests log nothing but their access line, which pino-http writes with the same fields
 * (see `app.ts`).
 */
export function requestLog(req: Request): Logger {
  const log = req.log as Logger;
  const auth = req.auth;
  if (!auth) return log;
  const logged = req as Logged;
  return (logged[WITH_IDENTITY] ??= log.child({ tenantId: auth.tenantId, keyId: auth.keyId }));
}
