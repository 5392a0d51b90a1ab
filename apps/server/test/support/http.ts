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
  query: Record<string, string | number | boolean | undefined> = {},
): Promise<JsonResponse<T>> {
  const url = new URL(`${server.baseUrl}${path}`);
  for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, String(value));
  const res = await fetch(url, { headers: secret ? { authorization: `Bearer ${secret}` } : {} });
  return { status: res.status, headers: res.headers, body: (await res.json()) as T };
}
