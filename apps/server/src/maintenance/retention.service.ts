import type { Db } from '../db/database';
import { RESOURCE_LIST, type ResourceName } from '../resources/registry';
import { acquireMaintenanceLease, leaseHolderName } from './maintenance-lease';
import { listTenantRetention, runExpiredBatch } from './retention.repository';

const DAY_MS = 86_400_000;

/** The lease's name in `maintenance_leases`. */
export const RETENTION_JOB = 'retention';

/** Rows per delete batch: each batch is one short transaction. */
export const DEFAULT_RETENTION_BATCH_SIZE = 5_000;

/**
 * How long a pass's claim lasts without renewal. Renewed after every batch, so only a holder
 * stuck for this long (or dead) loses it.
 */
const LEASE_TTL_SECONDS = 300;

export interface TenantRetentionResult {
  tenantId: string;
  name: string;
  retentionDays: number;
  /** Items older than this were removed (audit events) or removed when resolved (alerts). */
  cutoff: Date;
  removed: Record<ResourceName, number>;
}

export interface RetentionRun {
  startedAt: Date;
  finishedAt: Date;
  tenants: TenantRetentionResult[];
  /** Totals over every tenant. */
  removed: Record<ResourceName, number>;
}

export interface RetentionOptions {
  /** Who runs the pass (in the lease row): `server` or `cli`. */
  runner: string;
  batchSize?: number;
  /** The pass's notion of now (tests); the cutoff is `now - retention_days` exactly. */
  now?: Date;
  /** Stops between batches (server shutdown); the rows removed so far stay removed. */
  signal?: AbortSignal;
}

function zeroCounts(): Record<ResourceName, number> {
  return Object.fromEntries(RESOURCE_LIST.map((r) => [r.name, 0])) as Record<ResourceName, number>;
}

/**
 * One retention pass over every tenant: takes the lease (so one pass runs at a time across
 * every server instance and the CLI), then for each tenant and resource deletes expired rows
 * in batches of `batchSize`, oldest first, each batch its own short transaction.
 *
 * Short transactions matter for the changes feed too: the feed serves rows only below the
 * oldest running transaction, so one long delete transaction would hold every poller back
 * for its whole length. Deleting never adds or renumbers rows, so a poller's cursor (a
 * (txid, seq) position) stays valid: it simply no longer finds the rows that expired.
 *
 * Throws {@link MaintenanceBusyError} when another pass holds the lease.
 */
export async function runRetention(db: Db, options: RetentionOptions): Promise<RetentionRun> {
  const batchSize = options.batchSize ?? DEFAULT_RETENTION_BATCH_SIZE;
  const lease = await acquireMaintenanceLease(db, {
    job: RETENTION_JOB,
    holder: leaseHolderName(options.runner),
    ttlSeconds: LEASE_TTL_SECONDS,
  });
  const startedAt = new Date();
  const now = options.now ?? startedAt;
  const tenants: TenantRetentionResult[] = [];
  const totals = zeroCounts();
  try {
    for (const tenant of await listTenantRetention(db)) {
      const cutoff = new Date(now.getTime() - tenant.retention_days * DAY_MS);
      const removed = zeroCounts();
      for (const resource of RESOURCE_LIST) {
        for (;;) {
          options.signal?.throwIfAborted();
          const n = await runExpiredBatch(db, resource, { tenantId: tenant.id, cutoff, limit: batchSize });
          removed[resource.name] += n;
          totals[resource.name] += n;
          await lease.renew();
          if (n < batchSize) break;
        }
      }
      tenants.push({ tenantId: tenant.id, name: tenant.name, retentionDays: tenant.retention_days, cutoff, removed });
    }
  } finally {
    await lease.release().catch(() => undefined);
  }
  return { startedAt, finishedAt: new Date(), tenants, removed: totals };
}
