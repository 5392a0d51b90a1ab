import { API_BASE_PATH } from '@1security/contract';
import type { NextFunction, Request, Response } from 'express';
import { errors } from './api-error';

/** Every public path is read-only; Express answers HEAD from the GET route. */
export const ALLOWED_METHODS = 'GET, HEAD';

/** A route as a contract declares it: `{ method: 'POST', path: '/dashboard/api/api-keys/:id/revoke' }`. */
export interface RouteSignature {
  method: string;
  path: string;
}

/** How the router that serves the routes matches paths (Express's `caseSensitive` and `strict`). */
export interface PathMatching {
  caseSensitive: boolean;
  strict: boolean;
}

/** `/api/v1/logs/:id` → a regex matching that path the way the router does. */
function pathPattern(template: string, { caseSensitive, strict }: PathMatching): RegExp {
  const escaped = template
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${escaped}${strict ? '' : '/?'}$`, caseSensitive ? '' : 'i');
}

/** Every route of a ts-rest contract (routers nest), with its method and full path. */
export function contractRoutes(router: object): RouteSignature[] {
  return Object.values(router).flatMap((entry: { method?: unknown; path?: unknown }) =>
    typeof entry.path === 'string' && typeof entry.method === 'string'
      ? [{ method: entry.method, path: entry.path }]
      : contractRoutes(entry),
  );
}

/**
 * For a request no route answered: a known path with another method is a 405 whose `Allow`
 * header names the methods the path has (HEAD with GET, as Express answers it), rather than
 * the 404 of a path that does not exist. Paths are matched as their router matches them.
 */
export function methodNotAllowedOn(routes: readonly RouteSignature[], matching: PathMatching) {
  const byPattern = new Map<string, { pattern: RegExp; methods: Set<string> }>();
  for (const { method, path } of routes) {
    const entry = byPattern.get(path) ?? { pattern: pathPattern(path, matching), methods: new Set<string>() };
    entry.methods.add(method.toUpperCase());
    if (method.toUpperCase() === 'GET') entry.methods.add('HEAD');
    byPattern.set(path, entry);
  }
  const order = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
  const rank = (method: string) => (order.includes(method) ? order.indexOf(method) : order.length);
  const entries = [...byPattern.values()];
  return (req: Request, res: Response, next: NextFunction): void => {
    const allowed = new Set<string>();
    for (const { pattern, methods } of entries) {
      if (pattern.test(req.path)) methods.forEach((method) => allowed.add(method));
    }
    if (allowed.size === 0 || allowed.has(req.method)) return next();
    const allow = [...allowed].sort((a, b) => rank(a) - rank(b)).join(', ');
    res.setHeader('Allow', allow);
    next(errors.methodNotAllowed(req.method, allow));
  };
}

/**
 * The public API's: every documented path (and the OpenAPI document) is `GET, HEAD` only,
 * matched case-sensitive and strict, so `/LOGS` stays a 404.
 */
export function methodNotAllowed(paths: readonly string[]) {
  return methodNotAllowedOn(
    [...paths, `${API_BASE_PATH}/openapi.json`].map((path) => ({ method: 'GET', path })),
    { caseSensitive: true, strict: true },
  );
}
