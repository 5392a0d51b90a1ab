import { Command, InvalidArgumentError, Option } from 'commander';
import path from 'node:path';
import { boundHeapGrowth } from '../heap-growth';
import { INGEST_FORMATS, RESOURCE_TYPES, type IngestFormat, type IngestResourceType } from '../ingest/ingest.types';
import { ingestRecords, supportedFormats, type IngestSummary } from '../ingest/ingest.service';
import { InputUnreadableError, openInput } from '../ingest/record-reader';
import { findTenant } from '../tenants/tenants.repository';
import { CliError, printJson, withCli } from './cli-context';
import { parseTenantId } from './id-arguments';
import { ProgressLine } from './progress';

interface IngestCliOptions {
  tenant: string;
  type: IngestResourceType;
  format: IngestFormat;
  batchSize: number;
  json?: boolean;
}

function parseBatchSize(raw: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 10_000) {
    throw new InvalidArgumentError('must be a whole number from 1 to 10000');
  }
  return Number(raw);
}

function describe(summary: IngestSummary): string {
  return `read ${summary.read}, inserted ${summary.inserted}, updated ${summary.updated}, unchanged ${summary.unchanged}, rejected ${summary.rejected}`;
}

/** What the exit message can truthfully say about the records that were not rejected. */
function rejectedMessage(summary: IngestSummary): string {
  const accepted = summary.inserted + summary.updated + summary.unchanged;
  if (accepted === 0) return `${summary.rejected} record(s) rejected; nothing was stored.`;
  return `${summary.rejected} record(s) rejected; the other ${accepted} were stored (inserted ${summary.inserted}, updated ${summary.updated}, already stored ${summary.unchanged}).`;
}

export function ingestCommand(): Command {
  return new Command('ingest')
    .description('Load records from an NDJSON file (or a JSON array file, or - for stdin) into a tenant')
    .requiredOption('--tenant <TENANT_ID>', 'the tenant the records belong to', parseTenantId)
    .addOption(new Option('--type <TYPE>', 'what the records are').choices(RESOURCE_TYPES).makeOptionMandatory())
    .addOption(
      new Option('--format <FORMAT>', 'native (the API item shape), o365 (Management Activity API), graph (alerts_v2)')
        .choices(INGEST_FORMATS)
        .default('native'),
    )
    .addOption(new Option('--batch-size <N>', 'records per transaction').argParser(parseBatchSize).default(1000))
    .option('--json', 'print the summary as one JSON object')
    .argument('<FILE|->', 'the file to read, or - for standard input')
    .action(async (file: string, options: IngestCliOptions) => {
      if (!supportedFormats(options.type).includes(options.format)) {
        throw new CliError(
          `--format ${options.format} does not apply to --type ${options.type}; use ${supportedFormats(options.type).join(' or ')}`,
          2,
        );
      }
      boundHeapGrowth();
      await withCli(async ({ database, cwd }) => {
        if (!(await findTenant(database.db, options.tenant)))
          throw new CliError(`No tenant with id ${options.tenant}.`);
        const input = await openInput(file === '-' ? '-' : path.resolve(cwd, file), file).catch((err: unknown) => {
          throw err instanceof InputUnreadableError ? new CliError(err.message) : err;
        });
        const progress = new ProgressLine(process.stderr);
        const started = Date.now();
        const summary = await ingestRecords(database.db, {
          tenantId: options.tenant,
          type: options.type,
          format: options.format,
          input,
          batchSize: options.batchSize,
          onRejected: ({ line, element, reason }) =>
            progress.log(`line ${line}${element === undefined ? '' : ` (element ${element})`}: rejected: ${reason}`),
          onProgress: (s) => {
            const seconds = (Date.now() - started) / 1000;
            progress.update(
              `ingesting ${options.type}: ${describe(s)} (${Math.round(s.read / Math.max(seconds, 0.001))}/s)`,
            );
          },
        });
        progress.done();
        if (options.json) printJson(summary);
        else process.stdout.write(`Ingested ${options.type} (${options.format}): ${describe(summary)}.\n`);
        if (summary.rejected > 0) throw new CliError(rejectedMessage(summary));
      });
    });
}
