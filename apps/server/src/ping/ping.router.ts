import { contract } from '@1security/contract';
import { initServer } from '@ts-rest/express';
import { CompiledQuery } from 'kysely';
import type { Db } from '../db/database';
import { postgresPoolOf } from '../db/postgres-pool';
import { requireAuth } from '../http/route-helpers';

const s = initServer();

/** `api_key_is_live` has no column in it: a one-time filter, checked before the row is read (see live-key.ts). */
const PING = 'select retention_days from tenants where id = $1 and api_key_is_live($2)';

/**
 * The tenant's retention, read only if the key is still live: one statement. On PostgreSQL a
 * named prepared statement (parsed and planned once per connection, not on every ping: the
 * most frequent request there is); on PGlite the same text through Kysely.
 */
async function retentionDaysForLiveKey(db: Db, tenantId: string, keyId: string): Promise<number> {
  const pool = postgresPoolOf(db);
  const { rows } = pool
    ? await pool.query<{ retention_days: number }>({ name: 'onesec-ping', text: PING, values: [tenantId, keyId] })
    : await db.executeQuery<{ retention_days: number }>(CompiledQuery.raw(PING, [tenantId, keyId]));
  const retentionDays = rows[0]?.retention_days;
  if (retentionDays === undefined) throw new Error(`ping: tenant ${tenantId} not found`);
  return retentionDays;
}

export const pingRouter = (deps: { db: Db }) =>
  s.router(contract.ping, {
    ping: async ({ req }) => {
      const auth = requireAuth(req);
      const retentionDays = await retentionDaysForLiveKey(deps.db, auth.tenantId, auth.keyId);
      return {
        status: 200,
        body: {
          data: { tenantId: auth.tenantId, keyId: auth.keyId, name: auth.keyName, scopes: auth.scopes, retentionDays },
        },
      };
    },
  });
