import type { NextFunction, Request, Response } from 'express';
import type { RouteMetadata } from '@1security/contract';
import { hashesEqual, hashSecret, isWellFormedSecret } from '../api-keys/api-key-secret';
import { findApiKeyByHash } from '../api-keys/api-keys.repository';
import type { Db } from '../db/database';
import { errors } from '../http/api-error';
import type { RateLimitDecision, RateLimiter } from '../rate-limit/rate-limiter';
import type { LastUsedRecorder } from './last-used-recorder';

export interface AuthDeps {
  db: Db;
  pepper: string | undefined;
  rateLimiter: RateLimiter;
  lastUsed: LastUsedRecorder;
}

/** The credential the request carries: Bearer (preferred) or X-API-Key; null when none. */
function credentialOf(req: Request): string | null {
  const authorization = req.headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
    return match?.[1] ?? '';
  }
  const apiKey = req.headers['x-api-key'];
  if (apiKey !== undefined) return typeof apiKey === 'string' ? apiKey.trim() : '';
  return null;
}

export function setRateLimitHeaders(res: Response, decision: RateLimitDecision): void {
  res.setHeader('X-RateLimit-Limit', decision.limit);
  res.setHeader('X-RateLimit-Remaining', decision.remaining);
  res.setHeader('X-RateLimit-Reset', decision.resetAt);
  if (!decision.allowed) res.setHeader('Retry-After', decision.retryAfter);
}

/**
 * Verifies the API key when one is sent, and spends the caller's rate limit: the key's own
 * for a valid key, the client IP's failed-auth budget for a bad one. Requests without a key
 * pass through unauthenticated; {@link requireScope} turns them away on protected routes.
 *
 * The lookup is by hash, so it reads the database on every request: a revoked key fails on
 * the very next request on every instance, with no cache to go stale.
 */
export function authenticate(deps: AuthDeps) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      const secret = credentialOf(req);
      if (secret === null) return next();
      const hash = isWellFormedSecret(secret) ? hashSecret(secret, deps.pepper) : undefined;
      const key = hash ? await findApiKeyByHash(deps.db, hash) : undefined;
      const now = Date.now();
      const usable =
        key !== undefined &&
        hash !== undefined &&
        hashesEqual(key.secret_hash, hash) &&
        key.revoked_at === null &&
        (key.expires_at === null || key.expires_at.getTime() > now);
      if (!usable) return next(await authFailure(deps.rateLimiter, req, res));

      const decision = await deps.rateLimiter.consumeKey(key.id, key.rate_limit);
      setRateLimitHeaders(res, decision);
      if (!decision.allowed) return next(errors.rateLimited(decision.retryAfter));
      req.auth = {
        tenantId: key.tenant_id,
        keyId: key.id,
        keyName: key.name,
        scopes: key.scopes,
        rateLimit: key.rate_limit,
      };
      deps.lastUsed.touch(key.id);
      next();
    } catch (err) {
      next(err);
    }
  };
}

/** Spends one failed attempt of the client IP; the error to answer with (401, or 429 past the guard). */
async function authFailure(rateLimiter: RateLimiter, req: Request, res: Response) {
  const decision = await rateLimiter.consumeAuthFailure(req.ip ?? 'unknown');
  setRateLimitHeaders(res, decision);
  return decision.allowed ? errors.unauthenticated() : errors.rateLimited(decision.retryAfter);
}

/** For contract routes: a valid key is required, and it must carry the route's scope. */
export function requireScope(rateLimiter: RateLimiter) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      if (!req.auth) return next(await authFailure(rateLimiter, req, res));
      const metadata = (req as Request & { tsRestRoute?: { metadata?: RouteMetadata } }).tsRestRoute?.metadata;
      const scope = metadata?.scope ?? null;
      if (scope && !req.auth.scopes.includes(scope)) return next(errors.forbidden(scope));
      next();
    } catch (err) {
      next(err);
    }
  };
}

/** For public routes (the OpenAPI document, docs, unknown paths): a per-IP budget. */
export function limitAnonymous(rateLimiter: RateLimiter) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (req.auth) return next(); // already counted against the key
    try {
      const decision = await rateLimiter.consumeAnonymous(req.ip ?? 'unknown');
      setRateLimitHeaders(res, decision);
      next(decision.allowed ? undefined : errors.rateLimited(decision.retryAfter));
    } catch (err) {
      next(err);
    }
  };
}
