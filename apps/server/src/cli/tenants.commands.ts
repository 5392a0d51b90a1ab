import { Command } from 'commander';
import { createTenant } from '../tenants/tenants.repository';
import { printJson, withCli } from './cli-context';

export function tenantsCommand(): Command {
  const tenants = new Command('tenants').description('Manage tenants');
  tenants
    .command('create')
    .description('Create a tenant')
    .requiredOption('--name <NAME>', 'the tenant name, e.g. "Contoso"')
    .option('--json', 'print one JSON object')
    .action(async (options: { name: string; json?: boolean }) => {
      await withCli(async ({ database }) => {
        const tenant = await createTenant(database.db, options.name);
        if (options.json) printJson({ tenantId: tenant.id, name: tenant.name });
        else process.stdout.write(`Created tenant ${tenant.id} "${tenant.name}".\n`);
      });
    });
  return tenants;
}
