import { Command, InvalidArgumentError, Option } from 'commander';
import { MaintenanceBusyError } from '../maintenance/maintenance-lease';
import { DEFAULT_RETENTION_BATCH_SIZE, runRetention } from '../maintenance/retention.service';
import { RESOURCE_LIST } from '../resources/registry';
import { CliError, printJson, withCli } from './cli-context';

/** Exit code when another pass holds the lease: try again later (EX_TEMPFAIL, for cron). */
export const MAINTENANCE_BUSY_EXIT = 75;

function parseBatchSize(raw: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 100_000) {
    throw new InvalidArgumentError(`${raw} is not a batch size: it must be a whole number from 1 to 100000`);
  }
  return Number(raw);
}

export function maintenanceCommand(): Command {
  const maintenance = new Command('maintenance').description('Database maintenance (retention)');
  maintenance
    .command('run')
    .description(
      "Remove every tenant's expired audit events and resolved alerts now (what the server does every MAINTENANCE_INTERVAL_MS); for cron",
    )
    .addOption(
      new Option('--batch-size <N>', `rows per delete transaction (default ${DEFAULT_RETENTION_BATCH_SIZE})`).argParser(
        parseBatchSize,
      ),
    )
    .option('--json', 'print one JSON object')
    .action(async (options: { batchSize?: number; json?: boolean }) => {
      await withCli(async ({ database }) => {
        let run;
        try {
          run = await runRetention(database.db, { runner: 'cli', batchSize: options.batchSize });
        } catch (err) {
          if (err instanceof MaintenanceBusyError) throw new CliError(err.message, MAINTENANCE_BUSY_EXIT);
          throw err;
        }
        if (options.json) {
          return printJson({
            startedAt: run.startedAt.toISOString(),
            finishedAt: run.finishedAt.toISOString(),
            removed: run.removed,
            tenants: run.tenants.map((t) => ({ ...t, cutoff: t.cutoff.toISOString() })),
          });
        }
        const count = (removed: Record<string, number>) =>
          RESOURCE_LIST.map((r) => `${r.name} ${removed[r.name] ?? 0}`).join(', ');
        process.stdout.write(
          `Retention pass over ${run.tenants.length} tenant${run.tenants.length === 1 ? '' : 's'} in ${
            +run.finishedAt - +run.startedAt
          } ms: removed ${count(run.removed)}.\n`,
        );
        for (const t of run.tenants) {
          process.stdout.write(
            `${t.tenantId}  ${String(t.retentionDays).padStart(5)} days (before ${t.cutoff.toISOString()})  removed ${count(t.removed)}  ${t.name}\n`,
          );
        }
      });
    });
  return maintenance;
}
