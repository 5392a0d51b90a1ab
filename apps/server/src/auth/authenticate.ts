import type { NextFunction, Request, Response } from 'express';
import type { RouteMetadata } from '@1security/contract';
import { hashesEqual, hashSecret, isWellFormedSecret } from '../api-keys/api-key-secret';
import { findApiKeyByHash } from '../api-keys/api-keys.repository';
import type { Db } from '../db/database';
import { errors } from '../http/api-error';
import type { AuthFailureReason, ServerMetrics } from '../metrics/server-metrics';
import type { RateLimitDecision, RateLimiter } from '../rate-limit/rate-limiter';
import type { AuthContext } from './auth-context';
import type { LastUsedRecorder } from './last-used-recorder';
import { isKeyNotLive } from './live-key';
import type { VerifiedKeys } from './verified-keys';

export interface AuthDeps {
  db: Db;
  pepper: string | undefined;
  rateLimiter: RateLimiter;
  lastUsed: LastUsedRecorder;
  verifiedKeys: VerifiedKeys;
  metrics: AuthMetrics;
}

/** Where refused credentials are counted. */
export type AuthMetrics = Pick<ServerMetrics, 'authFailed'>;

/** The credential the request carries: Bearer (preferred) or X-API-Key; null when none. */
export function credentialOf(req: Pick<Request, 'headers'>): string | null {
  const authorization = req.headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
    return match?.[1] ?? '';
  }
  const apiKey = req.headers['x-api-key'];
  if (apiKey !== undefined) return typeof apiKey === 'string' ? apiKey.trim() : '';
  return null;
}

/** The headers a budget decision is answered with: the budget, and `Retry-After` once spent. */
export function rateLimitHeaders(decision: RateLimitDecision): Array<[string, number]> {
  const headers: Array<[string, number]> = [
    ['X-RateLimit-Limit', decision.limit],
    ['X-RateLimit-Remaining', decision.remaining],
    ['X-RateLimit-Reset', decision.resetAt],
  ];
  if (!decision.allowed) headers.push(['Retry-After', decision.retryAfter]);
  return headers;
}

export function setRateLimitHeaders(res: Response, decision: RateLimitDecision): void {
  for (const [name, value] of rateLimitHeaders(decision)) res.setHeader(name, value);
}

/**
 * Records a use of the key once the request is answered, as the time of the request: not for
 * a 401 (the key turned out revoked or expired) nor a fault that left that unknown.
 */
export function recordUseWhenAnswered(res: Response, lastUsed: LastUsedRecorder, keyId: string): void {
  const usedAt = new Date();
  res.once('finish', () => {
    if (res.statusCode !== 401 && res.statusCode < 500) lastUsed.touch(keyId, usedAt);
  });
}

/** The usable key with this hash, from memory or (first use on this instance) the database. */
async function identityOf(deps: AuthDeps, hash: string, now: number): Promise<AuthContext | undefined> {
  const known = deps.verifiedKeys.get(hash, now);
  if (known) return known;
  const key = await findApiKeyByHash(deps.db, hash);
  const usable =
    key !== undefined &&
    hashesEqual(key.secret_hash, hash) &&
    key.revoked_at === null &&
    (key.expires_at === null || key.expires_at.getTime() > now);
  if (!usable) return undefined;
  const identity: AuthContext = {
    tenantId: key.tenant_id,
    keyId: key.id,
    keyName: key.name,
    scopes: key.scopes,
    rateLimit: key.rate_limit,
  };
  deps.verifiedKeys.remember(hash, identity, key.expires_at);
  return identity;
}

/**
 * Verifies the API key when one is sent, and spends the caller's rate limit: the key's own
 * for a valid key, the client IP's failed-auth budget for a bad one. Requests without a key
 * pass through unauthenticated; {@link requireScope} turns them away on protected routes.
 *
 * A key's identity is remembered once verified (`VerifiedKeys`), but not its liveness: the
 * handlers read through `withLiveKey`, which checks in the same statement as the data that
 * the key is still live, so a revoked key fails on the very next request on every instance
 * ({@link refuseDeadKeys} turns that failure into a 401) without a round trip of its own.
 * When the data comes from a read replica, the primary is asked in parallel (`readAsLiveKey`).
 */
export function authenticate(deps: AuthDeps) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      const secret = credentialOf(req);
      if (secret === null) return next();
      const hash = isWellFormedSecret(secret) ? hashSecret(secret, deps.pepper) : undefined;
      const identity = hash ? await identityOf(deps, hash, Date.now()) : undefined;
      if (!identity) return next(await authFailure(deps, 'invalid_key', req, res));

      const decision = await deps.rateLimiter.consumeKey(identity.keyId, identity.rateLimit);
      setRateLimitHeaders(res, decision);
      if (!decision.allowed) return next(errors.rateLimited(decision.retryAfter));
      req.auth = identity;
      recordUseWhenAnswered(res, deps.lastUsed, identity.keyId);
      next();
    } catch (err) {
      next(err);
    }
  };
}

/**
 * Error middleware: the database refused a statement because the request's key is no longer
 * live (revoked, expired or deleted since this instance verified it). Answered as an invalid
 * key, and forgotten so that its next request is looked up afresh.
 */
export function refuseDeadKeys(verifiedKeys: VerifiedKeys, metrics: AuthMetrics) {
  return (err: unknown, req: Request, _res: Response, next: NextFunction): void => {
    if (!isKeyNotLive(err)) return next(err);
    metrics.authFailed('key_not_live');
    if (req.auth) verifiedKeys.forget(req.auth.keyId);
    next(errors.unauthenticated());
  };
}

/** Spends one failed attempt of the client IP; the error to answer with (401, or 429 past the guard). */
async function authFailure(
  { rateLimiter, metrics }: { rateLimiter: RateLimiter; metrics: AuthMetrics },
  reason: AuthFailureReason,
  req: Request,
  res: Response,
) {
  metrics.authFailed(reason);
  const decision = await rateLimiter.consumeAuthFailure(req.ip ?? 'unknown');
  setRateLimitHeaders(res, decision);
  return decision.allowed ? errors.unauthenticated() : errors.rateLimited(decision.retryAfter);
}

/** For contract routes: a valid key is required, and it must carry the route's scope. */
export function requireScope(deps: { rateLimiter: RateLimiter; metrics: AuthMetrics }) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      if (!req.auth) return next(await authFailure(deps, 'missing_key', req, res));
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
