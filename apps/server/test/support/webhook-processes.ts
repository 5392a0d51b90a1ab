import { expect } from 'vitest';
import { runCliProcess } from './processes';

/** What a spawned server needs to deliver webhooks to a loopback receiver quickly (test-only scaling). */
export const WEBHOOK_TEST_ENV = {
  WEBHOOK_ALLOW_HTTP: 'true',
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
  WEBHOOK_TEST_TIME_SCALE: '0.0001',
  WEBHOOK_TEST_TIMEOUT_MS: '1000',
  WEBHOOK_WORKERS: '2',
};

export async function cli(args: string[], env: Record<string, string | undefined>): Promise<string> {
  const result = await runCliProcess(args, env);
  expect(result.code, `${args.join(' ')}\n${result.stderr}`).toBe(0);
  return result.stdout;
}

export interface FeedItem {
  id: string;
  action: string;
  actorName: string;
  resourceType: string;
}

/** Reads a tenant's whole logs changes feed through the public API, in feed order. */
export async function logsFeed(serverUrl: string, secret: string): Promise<FeedItem[]> {
  const ids: FeedItem[] = [];
  let cursor: string | undefined;
  for (;;) {
    const url = new URL(`${serverUrl}/api/v1/logs/changes`);
    url.searchParams.set('limit', '500');
    if (cursor) url.searchParams.set('cursor', cursor);
    const res = await fetch(url, { headers: { authorization: `Bearer ${secret}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: FeedItem[]; pagination: { nextCursor: string; hasMore: boolean } };
    ids.push(...body.data);
    cursor = body.pagination.nextCursor;
    if (!body.pagination.hasMore) return ids;
  }
}

/** NDJSON of `count` native log records. */
export function logLines(count: number, tag: string): string {
  return Array.from({ length: count }, (_, i) =>
    JSON.stringify({
      sourceId: `${tag}-${i}`,
      occurredAt: new Date(Date.now() - i * 1000).toISOString(),
      action: 'FileAccessed',
      severity: 'low',
      actorName: `${tag}@contoso.com`,
      actorType: 'user',
      resourceType: 'file',
      workload: 'OneDrive',
    }),
  )
    .map((line) => `${line}\n`)
    .join('');
}
