import { contract } from '@1security/contract';
import { initServer } from '@ts-rest/express';
import { withLiveKey } from '../auth/live-key';
import type { Db } from '../db/database';
import { requireAuth } from '../http/route-helpers';
import { tenantRetentionDays } from '../tenants/tenants.repository';

const s = initServer();

export const pingRouter = (deps: { db: Db }) =>
  s.router(contract.ping, {
    ping: async ({ req }) => {
      const auth = requireAuth(req);
      // One statement: the tenant's retention, read only if the key is still live.
      const retentionDays = await tenantRetentionDays(withLiveKey(deps.db, auth.keyId), auth.tenantId);
      return {
        status: 200,
        body: {
          data: { tenantId: auth.tenantId, keyId: auth.keyId, name: auth.keyName, scopes: auth.scopes, retentionDays },
        },
      };
    },
  });
