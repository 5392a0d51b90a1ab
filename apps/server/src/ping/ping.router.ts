import { contract } from '@1security/contract';
import { initServer } from '@ts-rest/express';
import { requireAuth } from '../http/route-helpers';

const s = initServer();

export const pingRouter = s.router(contract.ping, {
  ping: async ({ req }) => {
    const auth = requireAuth(req);
    return {
      status: 200,
      body: { data: { tenantId: auth.tenantId, keyId: auth.keyId, name: auth.keyName, scopes: auth.scopes } },
    };
  },
});
