import { API_BASE_PATH } from '@1security/contract';
import type { NextFunction, Request, Response } from 'express';
import { errors } from './api-error';

/** Every public path is read-only; Express answers HEAD from the GET route. */
export const ALLOWED_METHODS = 'GET, HEAD';

/** `/api/v1/logs/:id` → a regex matching exactly that path, case-sensitive, no trailing slash. */
function exactPathPattern(template: string): RegExp {
  const escaped = template
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${escaped}$`);
}

/**
 * For a request no route answered: a documented path with another method is a 405 naming
 * what it allows (`Allow: GET, HEAD`), rather than the 404 of a path that does not exist.
 * Matched the way the routes are (case-sensitive, strict), so `/LOGS` stays a 404.
 */
export function methodNotAllowed(paths: readonly string[]) {
  const patterns = [...paths, `${API_BASE_PATH}/openapi.json`].map(exactPathPattern);
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method === 'GET' || req.method === 'HEAD' || !patterns.some((pattern) => pattern.test(req.path))) {
      return next();
    }
    res.setHeader('Allow', ALLOWED_METHODS);
    next(errors.methodNotAllowed(req.method, ALLOWED_METHODS));
  };
}
