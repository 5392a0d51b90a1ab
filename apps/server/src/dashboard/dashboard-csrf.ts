import type { NextFunction, Request, Response } from 'express';
import { ApiError } from '../http/api-error';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF defence: a state-changing request must carry an `Origin` equal to the dashboard's own
 * origin (`PUBLIC_URL`, else the origin of the Host it was sent to), and a body, when it has
 * one, must be JSON, which a cross-site form cannot send. Anything else → 403.
 */
export function requireSameOrigin(publicOrigin: string | undefined) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (SAFE_METHODS.has(req.method)) return next();
    const expected = publicOrigin ?? `${req.protocol}://${req.get('host') ?? ''}`;
    const origin = req.headers.origin;
    if (origin !== expected) {
      return next(
        new ApiError(
          'FORBIDDEN',
          origin === undefined
            ? 'Refused: a state-changing request must carry an Origin header.'
            : `Refused: requests to the dashboard API must come from ${expected}, not ${origin.slice(0, 200)}.`,
        ),
      );
    }
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (hasBody && !req.is('application/json')) {
      return next(new ApiError('FORBIDDEN', 'Refused: a request body must be JSON (Content-Type: application/json).'));
    }
    next();
  };
}
