import type { ErrorCode, ErrorDetail } from '@1security/contract';

/** The rate-limit state the server reported with a response (`X-RateLimit-*` headers). */
export interface RateLimitInfo {
  /** Requests allowed per window for this key. */
  limit: number;
  /** Requests left in the current window. */
  remaining: number;
  /** When the current window ends. */
  resetAt: Date;
}

/** Reads `X-RateLimit-*`; undefined when the response carried none (e.g. from a proxy). */
export function readRateLimit(headers: Headers): RateLimitInfo | undefined {
  const limit = Number(headers.get('x-ratelimit-limit'));
  const remaining = Number(headers.get('x-ratelimit-remaining'));
  const reset = Number(headers.get('x-ratelimit-reset'));
  if (!headers.has('x-ratelimit-limit') || [limit, remaining, reset].some((n) => !Number.isFinite(n))) return undefined;
  return { limit, remaining, resetAt: new Date(reset * 1000) };
}

/**
 * `Retry-After` in seconds: an integer, or an HTTP date (RFC 9110). Undefined when absent or
 * unreadable.
 */
export function readRetryAfter(headers: Headers, now = Date.now()): number | undefined {
  const raw = headers.get('retry-after')?.trim();
  if (!raw) return undefined;
  if (/^\d+$/.test(raw)) return Number(raw);
  const date = Date.parse(raw);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now) / 1000));
}

/**
 * The API answered with an error status. Every error the 1Security API sends has the same
 * envelope, `{ error: { code, message, details?, requestId } }`; this carries it, typed.
 *
 * @example
 * try {
 *   await client.securityAlerts.get(id);
 * } catch (err) {
 *   if (err instanceof ApiError && err.code === 'NOT_FOUND') return null;
 *   throw err;
 * }
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  /** The HTTP status: 400, 401, 403, 404, 429, 500, 503… */
  readonly status: number;
  /**
   * The machine-readable code from the envelope (`VALIDATION_ERROR`, `INVALID_CURSOR`,
   * `UNAUTHENTICATED`, `FORBIDDEN`, `NOT_FOUND`, `RATE_LIMITED`, `INTERNAL`,
   * `SERVICE_UNAVAILABLE`). `UNEXPECTED_RESPONSE` when the body was not the API's envelope
   * (for instance an HTML page from a proxy in between).
   */
  readonly code: ErrorCode | 'UNEXPECTED_RESPONSE';
  /** For `VALIDATION_ERROR`: one entry per bad parameter. */
  readonly details: ErrorDetail[] | undefined;
  /** The request's id (`X-Request-Id`): quote it to 1Security support. */
  readonly requestId: string | undefined;
  /** Seconds the server asked to wait before retrying (`Retry-After`; set on 429, sometimes 503). */
  readonly retryAfter: number | undefined;
  /** The key's rate-limit state when the error happened. */
  readonly rateLimit: RateLimitInfo | undefined;
  /** The response headers. */
  readonly headers: Headers;
  /** The response body as received (parsed JSON, or text). */
  readonly body: unknown;

  constructor(init: {
    status: number;
    code: ApiError['code'];
    message: string;
    details?: ErrorDetail[] | undefined;
    requestId?: string | undefined;
    headers: Headers;
    body: unknown;
  }) {
    super(init.message);
    this.status = init.status;
    this.code = init.code;
    this.details = init.details;
    this.requestId = init.requestId ?? init.headers.get('x-request-id') ?? undefined;
    this.retryAfter = readRetryAfter(init.headers);
    this.rateLimit = readRateLimit(init.headers);
    this.headers = init.headers;
    this.body = init.body;
  }

  /** Builds the error from any non-2xx response, whether or not it carries the envelope. */
  static fromResponse(response: { status: number; body: unknown; headers: Headers }): ApiError {
    const envelope = (response.body as { error?: Record<string, unknown> } | null)?.error;
    if (envelope && typeof envelope.code === 'string' && typeof envelope.message === 'string') {
      return new ApiError({
        status: response.status,
        code: envelope.code as ErrorCode,
        message: envelope.message,
        details: Array.isArray(envelope.details) ? (envelope.details as ErrorDetail[]) : undefined,
        requestId: typeof envelope.requestId === 'string' ? envelope.requestId : undefined,
        headers: response.headers,
        body: response.body,
      });
    }
    const text = typeof response.body === 'string' ? response.body.slice(0, 200) : '';
    return new ApiError({
      status: response.status,
      code: 'UNEXPECTED_RESPONSE',
      message: `HTTP ${response.status} without the API's error envelope${text ? `: ${text}` : ''}`,
      headers: response.headers,
      body: response.body,
    });
  }

  /** True for errors worth retrying later: 429, 5xx. */
  get retryable(): boolean {
    return this.status === 429 || this.status >= 500;
  }
}

/**
 * The request never got an HTTP answer: the connection was refused or dropped, DNS failed,
 * or (see {@link ApiTimeoutError}) the answer took too long. Thrown after the retries ran out.
 */
export class ApiConnectionError extends Error {
  override readonly name: string = 'ApiConnectionError';
  /** How many attempts were made. */
  readonly attempts: number;
  constructor(message: string, options: { cause: unknown; attempts: number }) {
    super(message, { cause: options.cause });
    this.attempts = options.attempts;
  }
}

/** An attempt exceeded `timeoutMs` (and so did every retry). */
export class ApiTimeoutError extends ApiConnectionError {
  override readonly name = 'ApiTimeoutError';
}
