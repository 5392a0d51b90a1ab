import { CLIENT_VERSION } from '../version';
import { parseFormat, parseTime, filtersFor, parseInclude, parseRetries } from './cli.options';
import { makeClient, readEnvironment, warn } from './cli.context';
import { CliError } from './exit-codes';
import { DEFAULT_OUTPUT_RETRIES, deliverWithRetries } from './output.delivery';
import { createOutputSink, parseOutputTarget, OutputUsageError } from './output.sink';
import { ProgressReporter } from './progress.reporter';
import { toOutputRecords } from './records.builder';
import { RESOURCES, type ResourceName } from './resource.registry';
import { parseResources } from './cli.options';

export interface ExportFlags extends Record<string, unknown> {
  since?: string;
  until?: string;
  include?: string;
  format: string;
  output?: string;
  outputRetries?: string;
}

/** `onesec export <resource>`: every item of the list (oldest first) in a window, to stdout or a new file. */
export async function runExport(resourceArg: string, flags: ExportFlags): Promise<void> {
  const resources = parseResources(resourceArg);
  if (resources.length !== 1) throw new CliError('USAGE', 'export takes one resource; use sync for several.');
  const resource = resources[0] as ResourceName;
  const format = parseFormat(flags.format);
  const filters = filtersFor([resource], flags).get(resource)!;
  const since = flags.since === undefined ? undefined : parseTime('since', flags.since, resource);
  const until = flags.until === undefined ? undefined : parseTime('until', flags.until, resource);
  const include = flags.include === undefined ? undefined : parseInclude(flags.include, resource);
  const retries = flags.outputRetries === undefined ? DEFAULT_OUTPUT_RETRIES : parseRetries(flags.outputRetries);
  let target;
  try {
    target = parseOutputTarget(flags.output ?? 'stdout');
  } catch (err) {
    throw new CliError('USAGE', (err as OutputUsageError).message);
  }
  if (target.kind === 'syslog')
    throw new CliError('USAGE', 'export writes to stdout or a file; use sync to send to syslog.');

  const client = makeClient(readEnvironment());
  const { tenantId } = await client.ping();
  const sink = createOutputSink(target, { fileMode: 'truncate' });
  const progress = new ProgressReporter([resource]);
  const context = { tenantId, version: CLIENT_VERSION };
  const query = { ...filters, since, until, include, order: 'asc', limit: 1000 } as never;
  let wroteAny = false;
  for await (const page of RESOURCES[resource].client(client).pages(query)) {
    if (page.data.length === 0 && wroteAny) continue;
    await deliverWithRetries(sink, toOutputRecords(resource, page.data, format, context), { retries, warn });
    wroteAny = true;
    progress.delivered(resource, page.data.length);
  }
  progress.caughtUp(resource);
  progress.finish('export', sink.description, 'done');
}
