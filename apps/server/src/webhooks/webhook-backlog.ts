import type { Db } from '../db/database';

/** What the metrics report of webhook delivery (every tenant's endpoints; no tenant label). */
export interface WebhookBacklog {
  /** Enabled endpoints whose current message failed and waits for its next attempt. */
  pending: number;
  /** How long the longest-failing of them has been failing (0 when none is). */
  oldestPendingSeconds: number;
}

/**
 * One aggregate over the endpoints table, read at each scrape: an endpoint that keeps up
 * has no failing message; one whose receiver is down carries `failing_since` until a 2xx.
 */
export async function webhookBacklog(db: Db, now = Date.now()): Promise<WebhookBacklog> {
  const row = await db
    .selectFrom('webhook_endpoints')
    .where('status', '=', 'enabled')
    .where('failing_since', 'is not', null)
    .select((eb) => [eb.fn.countAll<string>().as('pending'), eb.fn.min('failing_since').as('oldest')])
    .executeTakeFirstOrThrow();
  const oldest = row.oldest === null ? undefined : new Date(row.oldest as Date | string).getTime();
  return {
    pending: Number(row.pending),
    oldestPendingSeconds: oldest === undefined ? 0 : Math.max(0, (now - oldest) / 1000),
  };
}
