/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are checked by the tests that read them */
import type { TestServer } from './test-server';

export interface JsonResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** GET a path under /api/v1 with a key and query parameters, as any HTTP client would. */
export async function getJson<T = any>(
  server: TestServer,
  secret: string | undefined,
  path: string,
  query: Record<string, string | string[] | number | boolean | undefined> = {},
): Promise<JsonResponse<T>> {
  const url = new URL(`${server.baseUrl}${path}`);
  for (const [key, value] of Object.entries(query)) {
    // An array is the parameter repeated (`severity=low&severity=high`).
    for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
      url.searchParams.append(key, String(one));
    }
  }
  const res = await fetch(url, { headers: secret ? { authorization: `Bearer ${secret}` } : {} });
  return { status: res.status, headers: res.headers, body: (await res.json()) as T };
}

/**
 * The first page of a changes feed (no cursor), as text and parsed, once it holds at least
 * `count` items. The feed serves only transactions older than every one still running on the
 * PostgreSQL server, in any database (another test's too), so a committed row can show up a
 * moment later: it is delayed, never skipped, so poll again.
 */
export async function firstFeedPage(
  server: TestServer,
  secret: string,
  path: string,
  query: Record<string, string | number | undefined>,
  count: number,
  timeoutMs = 120_000,
): Promise<{ status: number; text: string; body: any }> {
  const url = new URL(`${server.baseUrl}${path}`);
  for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, String(value));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(url, { headers: { authorization: `Bearer ${secret}` } });
    const text = await res.text();
    const body = JSON.parse(text);
    if (res.status !== 200 || body.data.length >= count) return { status: res.status, text, body };
    if (Date.now() > deadline) throw new Error(`${path}: ${body.data.length} of ${count} items after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
