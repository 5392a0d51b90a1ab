import {
  CompiledQuery,
  QueryNode,
  SelectQueryNode,
  sql,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';
import type { Db } from '../db/database';

/** The SQLSTATE `api_key_is_live` raises (migration 0005). */
const KEY_NOT_LIVE = '1SK01';

/** The database refused the statement because its API key is revoked, expired or deleted. */
export function isKeyNotLive(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === KEY_NOT_LIVE;
}

/**
 * Adds `api_key_is_live(keyId)` to the WHERE of every SELECT run through it. The call has no
 * column in it, so PostgreSQL evaluates it once per statement (a one-time filter) before
 * reading any row: the key's state is checked in the same round trip as the data.
 */
class LiveKeyPlugin implements KyselyPlugin {
  readonly #check;

  constructor(keyId: string) {
    this.#check = sql`api_key_is_live(${keyId})`.toOperationNode();
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return SelectQueryNode.is(args.node) ? QueryNode.cloneWithWhere(args.node, this.#check) : args.node;
  }

  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}

/** `db` for one request: each of its SELECTs fails (SQLSTATE 1SK01) once the key is no longer live. */
export function withLiveKey(db: Db, keyId: string): Db {
  return db.withPlugin(new LiveKeyPlugin(keyId));
}

/**
 * The key's state alone, in one round trip: for requests that read no data (ping), and on the
 * primary beside a read served by a replica (`readAsLiveKey`).
 */
export async function assertKeyLive(db: Db, keyId: string): Promise<void> {
  // Precompiled: the statement never changes, only its parameter.
  await db.executeQuery(CompiledQuery.raw(KEY_IS_LIVE, [keyId]));
}
const KEY_IS_LIVE = 'select api_key_is_live($1)';
