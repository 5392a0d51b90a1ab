import { Command, InvalidArgumentError } from 'commander';
import { UnknownTenantError } from '../api-keys/api-keys.service';
import { seedTenantData, type SeedProgress, type SeedResource, type SeedResult } from '../seed/seed-tenant-data';
import { ProgressLine } from './progress';
import { CliError, printJson, withCli } from './cli-context';
import { parseTenantId } from './id-arguments';

const MAX_COUNT = 10_000_000;
const LABELS: Record<SeedResource, string> = {
  logs: 'logs',
  monitoringAlerts: 'monitoring alerts',
  securityAlerts: 'security alerts',
};

function parseCount(raw: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) > MAX_COUNT) {
    throw new InvalidArgumentError(`must be a whole number from 0 to ${MAX_COUNT}`);
  }
  return Number(raw);
}

function parseSeed(raw: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) > 0xffffffff)
    throw new InvalidArgumentError('must be a whole number from 0 to 4294967295');
  return Number(raw);
}

const number = (n: number) => n.toLocaleString('en-US');
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const rate = (rows: number, ms: number) => `${number(Math.round((rows / Math.max(ms, 1)) * 1000))} rows/s`;

/** The seed's progress text, drawn by the CLI's shared {@link ProgressLine}. */
class SeedProgressDisplay {
  private started = 0;
  private readonly line: ProgressLine;

  constructor(stream: NodeJS.WriteStream) {
    this.line = new ProgressLine(stream, 5_000);
  }

  update({ resource, done, total }: SeedProgress): void {
    const now = performance.now();
    if (done === 0) this.started = now;
    const elapsed = now - this.started;
    const finished = done === total;
    const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
    let text = `seed: ${LABELS[resource]} ${number(done)} / ${number(total)} (${percent}%)`;
    if (finished) text += ` in ${seconds(elapsed)}, ${rate(done, elapsed)}`;
    else if (done > 0) {
      const eta = ((total - done) * elapsed) / done;
      text += `, ${rate(done, elapsed)}, ${seconds(eta)} left`;
    }
    if (done > 0 || finished) this.line.update(text, { final: finished });
  }
}

function summary(result: SeedResult, requested: Record<SeedResource, number>, totalMs: number): string {
  const lines = [`Seeded tenant ${result.tenantId} in ${seconds(totalMs)} (seed ${result.seed}):`];
  for (const resource of Object.keys(LABELS) as SeedResource[]) {
    const inserted = result.inserted[resource];
    const skipped = requested[resource] - inserted;
    let line = `  ${LABELS[resource].padEnd(18)} ${number(inserted).padStart(11)}`;
    if (inserted > 0) line += `  ${rate(inserted, result.elapsedMs[resource])}`;
    if (skipped > 0) line += `  (${number(skipped)} already present from an earlier run with this seed)`;
    lines.push(line);
  }
  return `${lines.join('\n')}\n`;
}

interface SeedCommandOptions {
  tenant: string;
  logs: number;
  monitoringAlerts: number;
  securityAlerts: number;
  seed?: number;
  json?: boolean;
}

export function seedCommand(): Command {
  return new Command('seed')
    .description(
      'Fill a tenant with realistic demo data over the last 30 days: Microsoft 365 audit events, monitoring alerts and Defender security alerts',
    )
    .requiredOption('--tenant <TENANT_ID>', 'the tenant to fill', parseTenantId)
    .option('--logs <N>', 'audit events to create', parseCount, 10_000)
    .option('--monitoring-alerts <N>', 'monitoring alerts to create', parseCount, 200)
    .option('--security-alerts <N>', 'security alerts to create', parseCount, 200)
    .option(
      '--seed <N>',
      'random seed: the same seed gives the same events and alerts, dated relative to now (default: random, printed)',
      parseSeed,
    )
    .option('--json', 'print one JSON object')
    .action(async (options: SeedCommandOptions) => {
      await withCli(async ({ database }) => {
        const requested = {
          logs: options.logs,
          monitoringAlerts: options.monitoringAlerts,
          securityAlerts: options.securityAlerts,
        };
        const progress = new SeedProgressDisplay(process.stderr);
        const started = performance.now();
        let result: SeedResult;
        try {
          result = await seedTenantData(database.db, options.tenant, {
            ...requested,
            seed: options.seed,
            onProgress: (p) => progress.update(p),
            // PostgreSQL writes several batches in parallel; the embedded engine has one session.
            concurrency: database.engine === 'postgres' ? 4 : 1,
          });
        } catch (err) {
          if (err instanceof UnknownTenantError) throw new CliError(err.message);
          throw err;
        }
        const totalMs = performance.now() - started;
        if (options.json) {
          printJson({
            tenantId: result.tenantId,
            seed: result.seed,
            ...result.inserted,
            elapsedMs: Math.round(totalMs),
          });
        } else {
          process.stdout.write(summary(result, requested, totalMs));
        }
      });
    });
}
