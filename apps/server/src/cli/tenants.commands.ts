import { Command } from 'commander';
import { createTenant, listTenants } from '../tenants/tenants.repository';
import { printJson, withCli } from './cli-context';
import { parseTenantName } from './text-arguments';

export function tenantsCommand(): Command {
  const tenants = new Command('tenants').description('Create and list tenants');
  tenants
    .command('create')
    .description('Create a tenant')
    .requiredOption('--name <NAME>', 'the tenant name, e.g. "Contoso" (at most 200 characters)', parseTenantName)
    .option('--json', 'print one JSON object')
    .action(async (options: { name: string; json?: boolean }) => {
      await withCli(
        async ({ database }) => {
          const tenant = await createTenant(database.db, options.name);
          if (options.json) printJson({ tenantId: tenant.id, name: tenant.name });
          else process.stdout.write(`Created tenant ${tenant.id} "${tenant.name}".\n`);
        },
        { createsDatabase: true },
      );
    });

  tenants
    .command('list')
    .description('List every tenant, oldest first, with its key counts')
    .option('--json', 'print a JSON array')
    .action(async (options: { json?: boolean }) => {
      await withCli(async ({ database }) => {
        const rows = await listTenants(database.db);
        if (options.json) {
          return printJson(
            rows.map((t) => ({
              tenantId: t.id,
              name: t.name,
              createdAt: t.created_at.toISOString(),
              keys: t.keys,
              activeKeys: t.activeKeys,
            })),
          );
        }
        if (rows.length === 0) {
          process.stdout.write('No tenants yet. Create one with: pnpm admin tenants create --name "Contoso"\n');
          return;
        }
        for (const t of rows) {
          const keys = `${t.activeKeys} active / ${t.keys} key${t.keys === 1 ? '' : 's'}`;
          process.stdout.write(`${t.id}  created ${t.created_at.toISOString()}  ${keys.padEnd(20)}  ${t.name}\n`);
        }
      });
    });
  return tenants;
}
