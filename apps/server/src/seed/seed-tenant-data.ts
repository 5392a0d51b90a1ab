import { UnknownTenantError } from '../api-keys/api-keys.service';
import type { Db } from '../db/database';
import { RESOURCE_LIST, type ResourceEntry } from '../resources/registry';
import { findTenant } from '../tenants/tenants.repository';
import { randomSeed, SeededRandom } from './seeded-random';
import { buildTenantDirectory } from './tenant-directory';

/** Rows per resource, by its contract key. */
export type SeedCounts = Record<ResourceEntry<unknown>['key'], number>;
export type SeedResource = keyof SeedCounts;

export interface SeedProgress {
  resource: SeedResource;
  /** Rows generated and written so far for this resource. */
  done: number;
  total: number;
}

export interface SeedOptions extends Partial<SeedCounts> {
  /** The same seed and `now` give the same rows. Default: a random seed (returned in the result). */
  seed?: number;
  /** The end of the 30-day window the data spans. Default: the current time. */
  now?: Date;
  /** Called after every batch. */
  onProgress?: (progress: SeedProgress) => void;
  /** Rows per insert statement (and per transaction). Default: the resource's own (5,000 logs, 250 alerts). */
  batchSize?: number;
  /** Batches in flight at once; more than 1 only helps on PostgreSQL (PGlite has one session). */
  concurrency?: number;
}

export interface SeedResult {
  tenantId: string;
  seed: number;
  /** Rows actually written (a record whose source id is already stored is skipped). */
  inserted: SeedCounts;
  /** Wall time per resource, in milliseconds. */
  elapsedMs: SeedCounts;
}

/**
 * Fills a tenant with realistic demo data: Microsoft 365 audit events, monitoring alerts and
 * Defender security alerts spread over the last 30 days, all drawn from one make-believe
 * organisation (see tenant-directory.ts). Rows are generated and written batch by batch, so
 * memory stays flat however many are asked for; each batch commits on its own.
 *
 * @example
 *   const result = await seedTenantData(db, tenantId, { logs: 10_000, monitoringAlerts: 200, securityAlerts: 200 });
 */
export async function seedTenantData(db: Db, tenantId: string, options: SeedOptions = {}): Promise<SeedResult> {
  if (!(await findTenant(db, tenantId))) throw new UnknownTenantError(tenantId);
  const seed = options.seed ?? randomSeed();
  const now = (options.now ?? new Date()).getTime();
  const root = new SeededRandom(seed);
  // One stream per purpose: asking for more logs never changes the alerts, and vice versa.
  const directory = buildTenantDirectory(root.fork('directory'));
  const perResource = <T>(value: (resource: ResourceEntry<unknown>) => T) =>
    Object.fromEntries(RESOURCE_LIST.map((resource) => [resource.key, value(resource)])) as Record<SeedResource, T>;
  // Every stream is forked, asked for or not: the same seed gives the same rows per resource.
  const streams = perResource((resource) => root.fork(resource.name));
  const counts: SeedCounts = perResource((resource) => options[resource.key] ?? 0);
  const inserted: SeedCounts = perResource(() => 0);
  const elapsedMs: SeedCounts = perResource(() => 0);
  const concurrency = Math.max(1, options.concurrency ?? 1);

  for (const resource of RESOURCE_LIST) {
    const total = counts[resource.key];
    if (total === 0) continue;
    const started = performance.now();
    let done = 0;
    options.onProgress?.({ resource: resource.key, done, total });
    const rows = resource.generate({ tenantId, now, directory, count: total, random: streams[resource.key] });
    const batchSize = options.batchSize ?? resource.seedBatchSize;
    const write = async (batch: unknown[]) => (await resource.write(db, batch)).inserted;
    await writeInBatches(rows, batchSize, concurrency, write, (attempted, written) => {
      done += attempted;
      inserted[resource.key] += written;
      options.onProgress?.({ resource: resource.key, done, total });
    });
    elapsedMs[resource.key] = Math.round(performance.now() - started);
  }
  return { tenantId, seed, inserted, elapsedMs };
}

/**
 * Pulls rows into batches and writes up to `concurrency` batches at a time. Generation of the
 * next batch overlaps the database's work on the previous ones. Stops at the first failure.
 */
async function writeInBatches<T>(
  rows: Iterable<T>,
  batchSize: number,
  concurrency: number,
  write: (batch: T[]) => Promise<number>,
  onWritten: (attempted: number, written: number) => void,
): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  const launch = async (batch: T[]) => {
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
    if (failure) return;
    const task: Promise<void> = write(batch).then(
      (written) => onWritten(batch.length, written),
      (error: unknown) => {
        failure ??= { error };
      },
    );
    const tracked = task.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };
  let batch: T[] = [];
  for (const row of rows) {
    batch.push(row);
    if (batch.length === batchSize) {
      await launch(batch);
      if (failure) break;
      batch = [];
    }
  }
  if (!failure && batch.length > 0) await launch(batch);
  await Promise.all(inFlight);
  if (failure) throw failure.error;
}
