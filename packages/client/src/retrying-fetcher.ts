import { isZodType, type ApiFetcherArgs } from '@ts-rest/core';
import { ApiConnectionError, ApiTimeoutError, readRateLimit, readRetryAfter, type RateLimitInfo } from './api-error';
import { withQuery } from './query-string';

/** How failed requests are retried. Only GET (and HEAD) requests are ever retried. */
export interface RetryOptions {
  /** Attempts in all, the first one included. Default 4; 1 turns retries off. */
  maxAttempts?: number;
  /** Ceiling of the first backoff delay, doubled on every further attempt. Default 500 ms. */
  baseDelayMs?: number;
  /** No backoff delay is longer than this. Default 20 000 ms. */
  maxDelayMs?: number;
  /**
   * The longest `Retry-After` the client waits out by itself. A 429 asking for longer is
   * thrown at once as an {@link ApiError} with `retryAfter` set. Default 60 000 ms.
   */
  maxRetryAfterMs?: number;
}

export type ResolvedRetryOptions = Required<RetryOptions>;

export const DEFAULT_RETRY: ResolvedRetryOptions = {
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  maxRetryAfterMs: 60_000,
};

/** Options every call accepts, besides its query. */
export interface RequestOptions {
  /** Aborts the call, including any wait between retries; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Per-attempt time limit in ms (headers and body). Overrides the client's `timeoutMs`. */
  timeoutMs?: number;
  /** Overrides the client's retry policy for this call; `false` disables retries. */
  retry?: RetryOptions | false;
  /** Extra request headers (e.g. your own `X-Request-Id`). */
  headers?: Record<string, string>;
}

/** Why a request is about to be retried. */
export type RetryReason = 'rate-limited' | 'server-error' | 'network-error' | 'timeout';

/** Passed to `onRetry` before the client waits and tries again. */
export interface RetryEvent {
  method: string;
  url: string;
  /** The attempt that just failed, from 1. */
  attempt: number;
  /** How long the client waits before the next attempt. */
  delayMs: number;
  reason: RetryReason;
  /** The HTTP status, when there was a response. */
  status?: number;
  /** The network error or timeout, when there was no response. */
  error?: unknown;
}

/** Passed to `onResponse` for every HTTP response received, retried ones included. */
export interface ResponseEvent {
  method: string;
  url: string;
  status: number;
  /** The attempt this response answered, from 1. */
  attempt: number;
  durationMs: number;
  requestId: string | undefined;
  rateLimit: RateLimitInfo | undefined;
}

/**
 * Waits `ms` milliseconds, or rejects with `signal.reason` as soon as `signal` aborts: the
 * shape of the client's `sleep` option, whose default is {@link sleep}, a timer.
 */
export type SleepFunction = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface FetcherConfig {
  fetch: typeof globalThis.fetch;
  timeoutMs: number;
  retry: ResolvedRetryOptions | false;
  /** Every wait between attempts goes through it. Default {@link sleep}, a timer. */
  sleep?: SleepFunction | undefined;
  /** The jitter source, in [0, 1). Default `Math.random`. */
  random?: (() => number) | undefined;
  onRetry?: ((event: RetryEvent) => void) | undefined;
  onResponse?: ((event: ResponseEvent) => void) | undefined;
}

/** The extra per-call arguments the fetcher understands (ts-rest passes them through). */
export interface FetcherExtraArgs {
  timeoutMs?: number;
  retry?: RetryOptions | false;
}

export interface FetcherResponse {
  status: number;
  body: unknown;
  headers: Headers;
}

const RETRYABLE_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD']);

export function resolveRetry(
  retry: RetryOptions | false | undefined,
  base: ResolvedRetryOptions | false,
): ResolvedRetryOptions | false {
  if (retry === false) return false;
  if (retry === undefined) return base;
  return { ...(base || DEFAULT_RETRY), ...retry };
}

/**
 * Backoff with "equal jitter": half the exponential ceiling for sure, the other half at
 * random, so that clients dropped together do not come back together, yet always wait.
 */
export function backoffDelay(attempt: number, retry: ResolvedRetryOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * The `api` function given to ts-rest's `initClient`: sends the request with `fetch`, with a
 * per-attempt timeout, retries what is safe to retry, and serialises list parameters the way
 * the API reads them (comma-separated).
 */
export function createRetryingFetcher(config: FetcherConfig) {
  const wait = config.sleep ?? sleep;
  const random = config.random ?? Math.random;
  return async function retryingFetcher(args: ApiFetcherArgs & FetcherExtraArgs): Promise<FetcherResponse> {
    const method = args.method.toUpperCase();
    const url = withQuery(args.path, args.rawQuery as Record<string, unknown> | undefined);
    const retry = resolveRetry(args.retry, config.retry);
    const maxAttempts = retry && IDEMPOTENT_METHODS.has(method) ? Math.max(1, retry.maxAttempts) : 1;
    const timeoutMs = args.timeoutMs ?? config.timeoutMs;
    const { signal, ...fetchOptions } = args.fetchOptions ?? {};

    for (let attempt = 1; ; attempt++) {
      signal?.throwIfAborted();
      const started = Date.now();
      const outcome = await attemptOnce(
        config.fetch,
        url,
        { ...fetchOptions, method, headers: args.headers, body: args.body ?? null },
        timeoutMs,
        signal ?? undefined,
      );
      if (outcome.kind === 'response') {
        const { response } = outcome;
        config.onResponse?.({
          method,
          url,
          status: response.status,
          attempt,
          durationMs: Date.now() - started,
          requestId: response.headers.get('x-request-id') ?? undefined,
          rateLimit: readRateLimit(response.headers),
        });
        if (!RETRYABLE_STATUSES.has(response.status) || attempt >= maxAttempts || !retry) {
          return validated(args, response);
        }
        const retryAfter = readRetryAfter(response.headers);
        let delayMs: number;
        if (retryAfter !== undefined) {
          if (retryAfter * 1000 > retry.maxRetryAfterMs) return response;
          // Whole seconds from the server, plus up to 10% (at most 1 s) so that a fleet does not return in step.
          delayMs = Math.round(retryAfter * 1000 + random() * Math.min(1000, retryAfter * 100));
        } else {
          delayMs = backoffDelay(attempt, retry, random);
        }
        const reason: RetryReason = response.status === 429 ? 'rate-limited' : 'server-error';
        config.onRetry?.({ method, url, attempt, delayMs, reason, status: response.status });
        await wait(delayMs, signal ?? undefined);
        continue;
      }
      const { error, timedOut } = outcome;
      if (attempt >= maxAttempts || !retry) {
        const what = timedOut ? `timed out after ${timeoutMs} ms` : `failed: ${describeError(error)}`;
        const message = `${method} ${url} ${what}${attempt > 1 ? ` (${attempt} attempts)` : ''}`;
        throw timedOut
          ? new ApiTimeoutError(message, { cause: error, attempts: attempt })
          : new ApiConnectionError(message, { cause: error, attempts: attempt });
      }
      const delayMs = backoffDelay(attempt, retry, random);
      config.onRetry?.({ method, url, attempt, delayMs, reason: timedOut ? 'timeout' : 'network-error', error });
      await wait(delayMs, signal ?? undefined);
    }
  };
}

type AttemptOutcome =
  { kind: 'response'; response: FetcherResponse } | { kind: 'error'; error: unknown; timedOut: boolean };

/** One HTTP exchange, body included, under its own timeout. Rethrows only the caller's abort. */
async function attemptOnce(
  fetchFn: typeof globalThis.fetch,
  url: string,
  init: RequestInit,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<AttemptOutcome> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`timed out after ${timeoutMs} ms`));
  }, timeoutMs);
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const response = await fetchFn(url, { ...init, signal: controller.signal });
    // Read the body inside the attempt: a connection dropped mid-body is retried too.
    const text = await response.text();
    return {
      kind: 'response',
      response: { status: response.status, headers: response.headers, body: parseBody(text, response.headers) },
    };
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    return { kind: 'error', error, timedOut };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

function parseBody(text: string, headers: Headers): unknown {
  const contentType = headers.get('content-type') ?? '';
  if (text.length > 0 && /[/+]json\b/i.test(contentType)) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

/** ts-rest's `validateResponse`: parse known statuses with the contract's zod schema. */
function validated(args: ApiFetcherArgs, response: FetcherResponse): FetcherResponse {
  const schema = (args.route.responses as Record<number, unknown>)[response.status];
  if ((args.validateResponse ?? args.route.validateResponseOnClient) && isZodType(schema)) {
    return { ...response, body: schema.parse(response.body) };
  }
  return response;
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  const code = (cause as { code?: string } | undefined)?.code;
  const causeMessage = cause instanceof Error ? cause.message : undefined;
  return [error.message, code ?? causeMessage].filter(Boolean).join(': ');
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
