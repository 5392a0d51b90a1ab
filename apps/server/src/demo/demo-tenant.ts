import { dashboardOrigin, type Config } from '../config';
import { CLI_ACTOR } from '../audit/audit-events';
import { createUser, setPasswordUrl } from '../users/users.service';
import { createApiKey } from '../api-keys/api-keys.service';
import type { DatabaseHandle } from '../db/database';
import { seedTenantData } from '../seed/seed-tenant-data';
import { countTenants, createTenant } from '../tenants/tenants.repository';

/** What the demo tenant is filled with: enough to page through and filter, quick to create. */
export const DEMO_DATA_COUNTS = { logs: 5_000, monitoringAlerts: 150, securityAlerts: 120 } as const;
/** A fixed seed: every fresh clone shows the same people, alerts and events (dated to its first start). */
const DEMO_SEED = 20_260_605;
/** The demo tenant's admin, who signs in to the dashboard. */
export const DEMO_ADMIN_EMAIL = 'admin@contoso.example';

/**
 * On the first start of an empty embedded database, create a demo tenant filled with
 * realistic data (see seed/) and a key, so that a newcomer can call the API at once. All of
 * it is one transaction: a start interrupted half-way leaves no half-filled tenant behind.
 * Prints the key once; it is not stored anywhere else.
 */
export async function seedDemoTenantOnFirstStart(
  database: DatabaseHandle,
  config: Pick<Config, 'demoData' | 'apiKeyPepper' | 'port' | 'publicOrigin'>,
  print: (text: string) => void,
): Promise<void> {
  if (!config.demoData || database.engine !== 'pglite') return;
  if ((await countTenants(database.db)) > 0) return;
  const { tenant, key, secret, admin } = await database.db.transaction().execute(async (trx) => {
    const tenant = await createTenant(trx, 'Contoso (demo)');
    await seedTenantData(trx, tenant.id, { ...DEMO_DATA_COUNTS, seed: DEMO_SEED });
    const admin = await createUser(trx, {
      tenantId: tenant.id,
      email: DEMO_ADMIN_EMAIL,
      role: 'admin',
      actor: CLI_ACTOR,
    });
    const created = await createApiKey(trx, config.apiKeyPepper, {
      tenantId: tenant.id,
      name: 'Demo key',
      actor: CLI_ACTOR,
    });
    return { tenant, admin, ...created };
  });
  const origin = dashboardOrigin(config);
  const count = (n: number) => n.toLocaleString('en-US');
  print(
    [
      '',
      '  First start: created a demo tenant and API key (shown once, not stored):',
      '',
      `    tenant  ${tenant.id}`,
      `    key id  ${key.id}`,
      `    secret  ${secret}`,
      '',
      `  It holds ${count(DEMO_DATA_COUNTS.logs)} audit events, ${count(DEMO_DATA_COUNTS.monitoringAlerts)} monitoring alerts and ${count(DEMO_DATA_COUNTS.securityAlerts)} security alerts from the last 30 days.`,
      '',
      '  Try it:',
      `    curl -H "Authorization: Bearer ${secret}" ${origin}/api/v1/ping`,
      '',
      `  Or in the browser, as the demo admin ${DEMO_ADMIN_EMAIL}: set a password with this`,
      '  one-time link (valid 24 h),',
      `    ${setPasswordUrl(origin, admin.token)}`,
      `  then sign in at ${origin}/dashboard/ and open Settings → API Keys.`,
      '',
    ].join('\n'),
  );
}
