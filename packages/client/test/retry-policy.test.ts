import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/api-error';
import { readRateLimit, readRetryAfter } from '../src/api-error';
import { backoffDelay, DEFAULT_RETRY, resolveRetry, sleep } from '../src/retrying-fetcher';

describe('retry policy', () => {
  it('backs off exponentially with equal jitter, capped at maxDelayMs', () => {
    const policy = { ...DEFAULT_RETRY, baseDelayMs: 100, maxDelayMs: 1_000 };
    expect([1, 2, 3, 4, 5, 6].map((k) => backoffDelay(k, policy, () => 0))).toEqual([50, 100, 200, 400, 500, 500]);
    expect([1, 2, 3, 4, 5, 6].map((k) => backoffDelay(k, policy, () => 1))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('merges per-call retry options over the client policy; false disables', () => {
    expect(resolveRetry(undefined, DEFAULT_RETRY)).toBe(DEFAULT_RETRY);
    expect(resolveRetry(false, DEFAULT_RETRY)).toBe(false);
    expect(resolveRetry({ maxAttempts: 9 }, DEFAULT_RETRY)).toEqual({ ...DEFAULT_RETRY, maxAttempts: 9 });
    expect(resolveRetry({ maxAttempts: 2 }, false)).toEqual({ ...DEFAULT_RETRY, maxAttempts: 2 });
  });

  it('reads Retry-After as seconds or an HTTP date, and the rate-limit headers', () => {
    expect(readRetryAfter(new Headers({ 'retry-after': '17' }))).toBe(17);
    const now = Date.parse('2026-06-05T09:00:00Z');
    expect(readRetryAfter(new Headers({ 'retry-after': 'Fri, 05 Jun 2026 09:00:30 GMT' }), now)).toBe(30);
    expect(readRetryAfter(new Headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(readRetryAfter(new Headers())).toBeUndefined();
    expect(
      readRateLimit(
        new Headers({ 'x-ratelimit-limit': '600', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1780650000' }),
      ),
    ).toEqual({ limit: 600, remaining: 0, resetAt: new Date(1780650000 * 1000) });
    expect(readRateLimit(new Headers())).toBeUndefined();
  });

  it('builds ApiError from the envelope, or UNEXPECTED_RESPONSE from anything else', () => {
    const headers = new Headers({ 'retry-after': '3', 'x-request-id': 'abc' });
    const limited = ApiError.fromResponse({
      status: 429,
      headers,
      body: { error: { code: 'RATE_LIMITED', message: 'Too many requests.', requestId: 'abc' } },
    });
    expect(limited).toMatchObject({
      name: 'ApiError',
      status: 429,
      code: 'RATE_LIMITED',
      retryAfter: 3,
      requestId: 'abc',
      retryable: true,
    });
    const html = ApiError.fromResponse({
      status: 502,
      headers: new Headers({ 'x-request-id': 'lb-1' }),
      body: '<html>Bad gateway</html>',
    });
    expect(html).toMatchObject({ status: 502, code: 'UNEXPECTED_RESPONSE', requestId: 'lb-1' });
    expect(html.message).toContain('Bad gateway');
  });

  it('sleep() rejects with the abort reason as soon as the signal fires', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(new Error('stop')), 20);
    await expect(sleep(10_000, controller.signal)).rejects.toThrow('stop');
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
