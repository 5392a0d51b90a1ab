import { Command, InvalidArgumentError } from 'commander';
import {
  createTenant,
  listTenants,
  RETENTION_DAYS_MAX,
  RETENTION_DAYS_MIN,
  updateTenantRetention,
} from '../tenants/tenants.repository';
import { CliError, printJson, withCli } from './cli-context';
import { parseTenantId } from './id-arguments';
import { parseTenantName } from './text-arguments';

/** `--retention-days`: whole days, 1 to 36500 (100 years). */
function parseRetentionDays(raw: string): number {
  const days = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(days) || days < RETENTION_DAYS_MIN || days > RETENTION_DAYS_MAX) {
    throw new InvalidArgumentError(
      `${raw} is not a retention period: it must be a whole number of days from ${RETENTION_DAYS_MIN} to ${RETENTION_DAYS_MAX}`,
    );
  }
  return days;
}

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
              retentionDays: t.retention_days,
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
  tenants
    .command('update')
    .description("Change a tenant's settings")
    .argument('<TENANT_ID>', 'the tenant', parseTenantId)
    .requiredOption(
      '--retention-days <N>',
      `keep audit events, and resolved alerts, this many days (${RETENTION_DAYS_MIN}-${RETENTION_DAYS_MAX}; new tenants: 365); the maintenance job removes older ones`,
      parseRetentionDays,
    )
    .option('--json', 'print one JSON object')
    .action(async (tenantId: string, options: { retentionDays: number; json?: boolean }) => {
      await withCli(async ({ database }) => {
        const tenant = await updateTenantRetention(database.db, tenantId, options.retentionDays);
        if (!tenant) throw new CliError(`No tenant with id ${tenantId}.`);
        if (options.json) printJson({ tenantId: tenant.id, name: tenant.name, retentionDays: tenant.retention_days });
        else
          process.stdout.write(
            `Tenant ${tenant.id} "${tenant.name}" keeps ${tenant.retention_days} days of audit events and resolved alerts.\n`,
          );
      });
    });
  return tenants;
}
