import { UnknownTenantError } from '../api-keys/api-keys.service';
import type { Db } from '../db/database';
import { insertLogEventsBulk } from '../logs/logs.repository';
import { upsertMonitoringAlerts } from '../monitoring-alerts/monitoring-alerts.repository';
import { upsertSecurityAlerts } from '../security-alerts/security-alerts.repository';
import { findTenant } from '../tenants/tenants.repository';
import { generateLogEvents } from './logs.generator';
import { generateMonitoringAlerts } from './monitoring-alerts.generator';
import { randomSeed, SeededRandom } from './seeded-random';
import { generateSecurityAlerts } from './security-alerts.generator';
import { buildTenantDirectory } from './tenant-directory';

export interface SeedCounts {
  logs: number;
  monitoringAlerts: number;
  securityAlerts: number;
}
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
  /** Rows per insert statement (and per transaction). */
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

const ALERT_BATCH_SIZE = 250;

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
  const streams = {
    logs: root.fork('logs'),
    monitoringAlerts: root.fork('monitoring-alerts'),
    securityAlerts: root.fork('security-alerts'),
  };
  const counts: SeedCounts = {
    logs: options.logs ?? 0,
    monitoringAlerts: options.monitoringAlerts ?? 0,
    securityAlerts: options.securityAlerts ?? 0,
  };
  const inserted: SeedCounts = { logs: 0, monitoringAlerts: 0, securityAlerts: 0 };
  const elapsedMs: SeedCounts = { logs: 0, monitoringAlerts: 0, securityAlerts: 0 };
  const concurrency = Math.max(1, options.concurrency ?? 1);

  const load = async <T>(
    resource: SeedResource,
    rows: Iterable<T>,
    batchSize: number,
    write: (batch: T[]) => Promise<number>,
  ) => {
    const started = performance.now();
    const total = counts[resource];
    let done = 0;
    options.onProgress?.({ resource, done, total });
    await writeInBatches(rows, batchSize, concurrency, write, (attempted, written) => {
      done += attempted;
      inserted[resource] += written;
      options.onProgress?.({ resource, done, total });
    });
    elapsedMs[resource] = Math.round(performance.now() - started);
  };

  const common = { tenantId, now, directory };
  if (counts.logs > 0) {
    await load(
      'logs',
      generateLogEvents({ ...common, count: counts.logs, random: streams.logs }),
      options.batchSize ?? 5_000,
      (batch) => insertLogEventsBulk(db, batch),
    );
  }
  if (counts.monitoringAlerts > 0) {
    await load(
      'monitoringAlerts',
      generateMonitoringAlerts({ ...common, count: counts.monitoringAlerts, random: streams.monitoringAlerts }),
      ALERT_BATCH_SIZE,
      async (batch) => (await upsertMonitoringAlerts(db, batch)).inserted,
    );
  }
  if (counts.securityAlerts > 0) {
    await load(
      'securityAlerts',
      generateSecurityAlerts({ ...common, count: counts.securityAlerts, random: streams.securityAlerts }),
      ALERT_BATCH_SIZE,
      async (batch) => (await upsertSecurityAlerts(db, batch)).inserted,
    );
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
