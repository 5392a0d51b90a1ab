import { contract } from '@1security/contract';
import { initServer } from '@ts-rest/express';
import { CompiledQuery } from 'kysely';
import type { Db } from '../db/database';
import { requireAuth } from '../http/route-helpers';

const s = initServer();

/** `api_key_is_live` has no column in it: a one-time filter, checked before the row is read (see live-key.ts). */
const PING = 'select retention_days from tenants where id = $1 and api_key_is_live($2)';

export const pingRouter = (deps: { db: Db }) =>
  s.router(contract.ping, {
    ping: async ({ req }) => {
      const auth = requireAuth(req);
      // One statement, precompiled: the tenant's retention, read only if the key is still live.
      const { rows } = await deps.db.executeQuery(CompiledQuery.raw(PING, [auth.tenantId, auth.keyId]));
      const retentionDays = (rows[0] as { retention_days: number } | undefined)?.retention_days;
      if (retentionDays === undefined) throw new Error(`ping: tenant ${auth.tenantId} not found`);
      return {
        status: 200,
        body: {
          data: { tenantId: auth.tenantId, keyId: auth.keyId, name: auth.keyName, scopes: auth.scopes, retentionDays },
        },
      };
    },
  });
