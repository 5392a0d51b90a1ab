import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Logger } from '../logger';

/** The window of every limit unless {@link RateLimiterOptions.windowSeconds} says otherwise. */
const DEFAULT_WINDOW_SECONDS = 60;

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Epoch seconds at which the current window ends. */
  resetAt: number;
  /** Whole seconds to wait before retrying (1 to the window's length); meaningful when not allowed. */
  retryAfter: number;
}

export interface RateLimiterOptions {
  /** Share counters between instances through Redis; omitted → per-instance memory. */
  redisUrl?: string | undefined;
  /** Requests per minute for a key without its own limit. */
  keyDefaultPerMinute: number;
  authFailuresPerMinute: number;
  anonymousPerMinute: number;
  /** Failed dashboard sign-ins per account per minute (per IP they share `authFailuresPerMinute`). */
  signInFailuresPerMinute?: number;
  /** Length of every window in seconds (default 60; shorter only in tests, see `Config.rateLimitWindowSeconds`). */
  windowSeconds?: number | undefined;
  /** Namespace of the counters (default `1sec:rl`). */
  keyPrefix?: string | undefined;
  /** A Redis command slower than this is answered from memory instead (default 500 ms). */
  commandTimeoutMs?: number | undefined;
  logger: Logger;
  /** Told of every refusal, by budget (the metrics count them). */
  onRejected?: (limit: RateLimitName) => void;
}

/** The budgets, as the metrics name them. */
export type RateLimitName = 'api_key' | 'auth_failures' | 'anonymous' | 'sign_in';

const LIMIT_NAMES: Record<string, RateLimitName> = { authfail: 'auth_failures', anon: 'anonymous', signin: 'sign_in' };

/**
 * Fixed one-minute windows per API key, per client IP for failed authentications, and per
 * client IP for unauthenticated requests. Counters live in Redis when configured, so every
 * instance enforces one limit; if Redis fails, each instance falls back to its own memory
 * counters (rate-limiter-flexible's insurance limiter) and keeps serving.
 */
export class RateLimiter {
  readonly #redis: Redis | undefined;
  readonly #limiters = new Map<string, RateLimiterAbstract>();
  readonly #logger: Logger;
  #redisHealthy = true;
  readonly #windowSeconds: number;

  constructor(private readonly options: RateLimiterOptions) {
    this.#logger = options.logger;
    this.#windowSeconds = options.windowSeconds ?? DEFAULT_WINDOW_SECONDS;
    if (options.redisUrl) {
      this.#redis = new Redis(options.redisUrl, {
        // Fail fast while disconnected: the memory fallback answers instead of a queue.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        commandTimeout: options.commandTimeoutMs ?? 500,
        connectTimeout: 2_000,
        retryStrategy: (attempt) => Math.min(attempt * 250, 2_000),
      });
      this.#redis.on('error', (err: Error) => this.#markRedis(false, err.message));
      this.#redis.on('ready', () => this.#markRedis(true));
    }
  }

  /** Whether limits are currently shared through Redis ('memory' when not configured or down). */
  get store(): 'redis' | 'memory' {
    return this.#redis && this.#redis.status === 'ready' ? 'redis' : 'memory';
  }

  consumeKey(keyId: string, perMinute: number | null): Promise<RateLimitDecision> {
    return this.#consume(
      `key:${perMinute ?? this.options.keyDefaultPerMinute}`,
      perMinute ?? this.options.keyDefaultPerMinute,
      keyId,
    );
  }

  consumeAuthFailure(ip: string): Promise<RateLimitDecision> {
    return this.#consume('authfail', this.options.authFailuresPerMinute, ip);
  }

  /** Spends one failed sign-in of the account (a lower-cased email). */
  consumeSignInFailure(account: string): Promise<RateLimitDecision> {
    return this.#consume('signin', this.#signInPoints, account);
  }

  /**
   * True when the account's or the IP's failed-attempt budget is spent: the attempt is refused
   * before the password is even checked.
   */
  async signInBlocked(account: string, ip: string): Promise<{ blocked: boolean; retryAfter: number }> {
    const checks: Array<[string, number, string]> = [
      ['signin', this.#signInPoints, account],
      ['authfail', this.options.authFailuresPerMinute, ip],
    ];
    for (const [name, points, subject] of checks) {
      let res: RateLimiterRes | null = null;
      try {
        res = await this.#limiter(name, points).get(subject);
      } catch {
        res = null; // Redis down: the consume path's insurance limiter still counts.
      }
      if (res && res.consumedPoints >= points) {
        this.options.onRejected?.(LIMIT_NAMES[name]!);
        return {
          blocked: true,
          retryAfter: Math.min(this.#windowSeconds, Math.max(1, Math.ceil(res.msBeforeNext / 1000))),
        };
      }
    }
    return { blocked: false, retryAfter: 0 };
  }

  /** A successful sign-in clears the account's failures (not the IP's). */
  async resetSignInFailures(account: string): Promise<void> {
    await this.#limiter('signin', this.#signInPoints)
      .delete(account)
      .catch(() => undefined);
  }

  get #signInPoints(): number {
    return this.options.signInFailuresPerMinute ?? 5;
  }

  consumeAnonymous(ip: string): Promise<RateLimitDecision> {
    return this.#consume('anon', this.options.anonymousPerMinute, ip);
  }

  async close(): Promise<void> {
    if (this.#redis) {
      this.#redis.removeAllListeners('error');
      this.#redis.on('error', () => undefined);
      this.#redis.disconnect();
    }
  }

  #markRedis(healthy: boolean, reason?: string): void {
    if (healthy === this.#redisHealthy) return;
    this.#redisHealthy = healthy;
    if (healthy) this.#logger.info('Redis reachable again: rate limits are shared across instances');
    else this.#logger.warn({ reason }, 'Redis unavailable: rate limits fall back to per-instance memory');
  }

  #limiter(name: string, points: number): RateLimiterAbstract {
    let limiter = this.#limiters.get(name);
    if (!limiter) {
      const keyPrefix = `${this.options.keyPrefix ?? '1sec:rl'}:${name}`;
      const memory = new RateLimiterMemory({ keyPrefix, points, duration: this.#windowSeconds });
      limiter = this.#redis
        ? new RateLimiterRedis({
            storeClient: this.#redis,
            keyPrefix,
            points,
            duration: this.#windowSeconds,
            rejectIfRedisNotReady: true,
            insuranceLimiter: memory,
          })
        : memory;
      this.#limiters.set(name, limiter);
    }
    return limiter;
  }

  async #consume(name: string, points: number, subject: string): Promise<RateLimitDecision> {
    let result: RateLimiterRes;
    let allowed = true;
    try {
      result = await this.#limiter(name, points).consume(subject);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      result = rejection;
      allowed = false;
      this.options.onRejected?.(LIMIT_NAMES[name] ?? 'api_key');
    }
    const msBeforeNext = Math.max(0, result.msBeforeNext);
    return {
      allowed,
      limit: points,
      remaining: Math.max(0, result.remainingPoints),
      resetAt: Math.ceil((Date.now() + msBeforeNext) / 1000),
      retryAfter: Math.min(this.#windowSeconds, Math.max(1, Math.ceil(msBeforeNext / 1000))),
    };
  }
}
