import type { Config } from '../config';
import { createApiKey } from '../api-keys/api-keys.service';
import type { DatabaseHandle } from '../db/database';
import { countTenants, createTenant } from '../tenants/tenants.repository';

/**
 * On the first start of an empty embedded database, create a demo tenant and key so that a
 * newcomer can call the API at once. Prints the key once; it is not stored anywhere else.
 */
export async function seedDemoTenantOnFirstStart(
  database: DatabaseHandle,
  config: Pick<Config, 'demoData' | 'apiKeyPepper' | 'port'>,
  print: (text: string) => void,
): Promise<void> {
  if (!config.demoData || database.engine !== 'pglite') return;
  if ((await countTenants(database.db)) > 0) return;
  const tenant = await createTenant(database.db, 'Contoso (demo)');
  const { key, secret } = await createApiKey(database.db, config.apiKeyPepper, {
    tenantId: tenant.id,
    name: 'Demo key',
  });
  print(
    [
      '',
      '  First start: created a demo tenant and API key (shown once, not stored):',
      '',
      `    tenant  ${tenant.id}`,
      `    key id  ${key.id}`,
      `    secret  ${secret}`,
      '',
      '  Try it:',
      `    curl -H "Authorization: Bearer ${secret}" http://localhost:${config.port}/api/v1/ping`,
      '',
    ].join('\n'),
  );
}
