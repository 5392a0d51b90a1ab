import type { Db } from '../db/database';
import type { ReadReplicas } from '../db/read-replicas';
import { ApiError } from '../http/api-error';
import { assertKeyLive, withLiveKey } from './live-key';

/** Where a request's data may be read: the primary, and the replicas when there are any. */
export interface ReadSource {
  db: Db;
  replicas?: ReadReplicas | undefined;
}

/**
 * Runs a request's data read (`read` runs its statements on the `db` it is given) for a key
 * that must be live, and answers only once both are known: the data, and that the key is live
 * on the primary.
 *
 * - No replica in use: on the primary, with the liveness check inside the data statement
 *   (`withLiveKey`), one round trip, as without replicas.
 * - A replica in use: the data from the replica and, at the same time, `api_key_is_live` on
 *   the primary. The replica's `api_keys` may lag — a key revoked a moment ago may still look
 *   live there, a key created a moment ago may not exist there yet — so the replica's copy is
 *   never asked; the primary's answer decides, and a key revoked before the request arrived
 *   is refused by it (401) whatever the replica returned. The replica costs the primary a
 *   one-row lookup instead of the page.
 * - The replica fails (stopped, restarted, a query cancelled by a recovery conflict): the read
 *   runs again on the primary, and the replica is skipped until its next probe finds it well.
 *   A client sees no error for it. A failing primary is an error, as without replicas (503).
 */
export async function readAsLiveKey<T>(source: ReadSource, keyId: string, read: (db: Db) => Promise<T>): Promise<T> {
  const replica = source.replicas?.pick();
  if (!replica) return read(withLiveKey(source.db, keyId));
  const [live, data] = await Promise.allSettled([assertKeyLive(source.db, keyId), read(replica.db)]);
  if (live.status === 'rejected') throw live.reason;
  if (data.status === 'fulfilled') {
    replica.served();
    return data.value;
  }
  // The request's own fault (a bad cursor, say): the primary would answer the same.
  if (data.reason instanceof ApiError) throw data.reason;
  replica.failed(data.reason);
  return read(withLiveKey(source.db, keyId));
}
