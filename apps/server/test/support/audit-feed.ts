import type { LogEvent } from '@1security/contract';
import { expect } from 'vitest';

/**
 * A tenant's audit log as its SIEM reads it: `GET /logs/changes` with one of its keys. The
 * feed shows a transaction's rows only once every older transaction of the PostgreSQL cluster
 * has ended (so it can never skip one), which under a busy shared server may be a moment after
 * the commit: read until `ready` says the events the test waits for are there (a readiness
 * guard, not a timing assertion), then let the test assert on everything it holds.
 */
export async function readAuditFeed(
  apiUrl: string,
  secret: string,
  ready: (events: LogEvent[]) => boolean = () => true,
): Promise<{ text: string; events: LogEvent[] }> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await fetch(`${apiUrl}/api/v1/logs/changes?limit=1000`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    const events = (JSON.parse(text) as { data: LogEvent[] }).data;
    if (ready(events) || Date.now() > deadline) return { text, events };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
