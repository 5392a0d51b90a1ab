import { contract } from '@1security/contract';
import { initServer } from '@ts-rest/express';
import { assertKeyLive } from '../auth/live-key';
import type { Db } from '../db/database';
import { requireAuth } from '../http/route-helpers';

const s = initServer();

export const pingRouter = (deps: { db: Db }) =>
  s.router(contract.ping, {
    ping: async ({ req }) => {
      const auth = requireAuth(req);
      // Ping reads no data, so the key's liveness is its one statement.
      await assertKeyLive(deps.db, auth.keyId);
      return {
        status: 200,
        body: { data: { tenantId: auth.tenantId, keyId: auth.keyId, name: auth.keyName, scopes: auth.scopes } },
      };
    },
  });
