import { FileCheckpointStore } from '../checkpoint-store';
import { sleep } from '../retrying-fetcher';
import { CLIENT_VERSION } from '../version';
import { makeClient, readEnvironment, warn } from './cli.context';
import {
  filtersFor,
  parseBatchSize,
  parseFormat,
  parseInclude,
  parseInterval,
  parseResources,
  parseRetries,
  parseTime,
} from './cli.options';
import { lockCheckpoint } from './checkpoint.lock';
import { CliError } from './exit-codes';
import { DEFAULT_OUTPUT_RETRIES, deliverWithRetries } from './output.delivery';
import { createOutputSink, OutputUsageError, parseOutputTarget, type OutputTarget } from './output.sink';
import { ProgressReporter } from './progress.reporter';
import { toOutputRecords } from './records.builder';
import { RESOURCES } from './resource.registry';

export interface SyncFlags extends Record<string, unknown> {
  checkpoint?: string;
  from?: string;
  include?: string;
  format: string;
  output: string;
  follow?: boolean;
  interval: string;
  batchSize: string;
  ca?: string;
  cert?: string;
  key?: string;
  outputRetries?: string;
}

export const DEFAULT_BATCH_SIZE = 500;
export const DEFAULT_INTERVAL = '30s';

/** Set when SIGTERM/SIGINT asked to stop: the abort reason the sync recognises as a clean stop. */
class StopRequested extends Error {
  override readonly name = 'StopRequested';
}

function parseTarget(flags: SyncFlags): OutputTarget {
  let target: OutputTarget;
  try {
    target = parseOutputTarget(flags.output);
  } catch (err) {
    throw new CliError('USAGE', (err as OutputUsageError).message);
  }
  const tlsFlags = (['ca', 'cert', 'key'] as const).filter((f) => flags[f] !== undefined);
  if (tlsFlags.length > 0 && !(target.kind === 'syslog' && target.transport === 'tls')) {
    throw new CliError('USAGE', `--${tlsFlags[0]} only applies to --output syslog+tls://HOST:PORT.`);
  }
  if ((flags.cert === undefined) !== (flags.key === undefined)) {
    throw new CliError('USAGE', 'a client certificate needs both --cert FILE and --key FILE.');
  }
  return target;
}

/**
 * `onesec sync`: walks each resource's changes feed from the checkpoint file, delivers each
 * batch to the output and only then saves the feed's `nextCursor` (the client's
 * FileCheckpointStore: temp file, fsync, rename). With `--follow` it polls again at the
 * interval once caught up. SIGTERM/SIGINT let the batch in hand finish and be saved (a FIFO
 * write that waits on its reader is abandoned instead), then exit 0. `<checkpoint>.lock`
 * keeps a second sync off the same checkpoint.
 */
export async function runSync(resourceArg: string, flags: SyncFlags): Promise<void> {
  const resources = parseResources(resourceArg);
  if (!flags.checkpoint)
    throw new CliError('USAGE', 'sync needs --checkpoint FILE: the file that keeps its place in each feed.');
  const format = parseFormat(flags.format);
  const filters = filtersFor(resources, flags);
  const from = flags.from === undefined ? undefined : parseTime('from', flags.from, resources[0]!);
  // Not part of the cursor: it may be added to or dropped from an existing checkpoint.
  const include = flags.include === undefined ? undefined : parseInclude(flags.include, resources[0]!);
  const limit = parseBatchSize(flags.batchSize);
  const intervalMs = parseInterval(flags.interval);
  const retries = flags.outputRetries === undefined ? DEFAULT_OUTPUT_RETRIES : parseRetries(flags.outputRetries);
  const target = parseTarget(flags);
  const client = makeClient(readEnvironment());
  // Before anything is read or sent: a second sync on this checkpoint would send every batch twice.
  const unlock = await lockCheckpoint(flags.checkpoint);

  const controller = new AbortController();
  const { signal } = controller;
  const stop = (name: string) => {
    if (signal.aborted) return;
    warn(`${name}: stopping after the batch in hand is delivered and saved`);
    controller.abort(new StopRequested(name));
  };
  const onTerm = () => stop('SIGTERM');
  const onInt = () => stop('SIGINT');
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);

  const store = new FileCheckpointStore(flags.checkpoint);
  const sink = createOutputSink(target, {
    tls: { ca: flags.ca, cert: flags.cert, key: flags.key },
    fileMode: 'append',
  });
  const progress = new ProgressReporter(resources);
  let outcome = 'failed';
  try {
    // A checkpoint file that cannot be read stops us before anything is sent.
    await store.load('');
    const ping = await client.ping({ signal });
    const missing = resources.filter((r) => !ping.scopes.includes(RESOURCES[r].scope));
    if (missing.length > 0) {
      throw new CliError(
        'AUTH',
        `the API key lacks ${missing.map((r) => RESOURCES[r].scope).join(', ')} (it has ${ping.scopes.join(', ') || 'no scopes'}).`,
      );
    }
    if (target.kind === 'syslog' && target.transport === 'udp') {
      warn('syslog over UDP can drop messages without anyone knowing; prefer syslog+tcp:// or syslog+tls://');
    }
    const context = { tenantId: ping.tenantId, version: CLIENT_VERSION };
    for (;;) {
      for (const resource of resources) {
        const batches = RESOURCES[resource].client(client).syncBatches({
          store,
          filters: filters.get(resource),
          from,
          limit,
          include,
          signal,
        } as never);
        for await (const batch of batches) {
          // Deliberately not aborted by a stop request: the batch in hand is finished and saved.
          await deliverWithRetries(sink, toOutputRecords(resource, batch.items, format, context), {
            retries,
            signal,
            warn,
          });
          progress.delivered(resource, batch.items.length);
        }
        progress.caughtUp(resource);
      }
      if (!flags.follow) break;
      await sleep(intervalMs, signal);
    }
    outcome = 'caught up';
  } catch (err) {
    if (signal.aborted && err === signal.reason) {
      outcome = `stopped by ${(signal.reason as StopRequested).message}, checkpoint saved`;
      return;
    }
    throw err;
  } finally {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
    await unlock();
    progress.finish('sync', sink.description, outcome);
  }
}
