import { hostname } from 'node:os';
import { sql } from 'kysely';
import { ulid } from 'ulid';
import type { Db } from '../db/database';

/** One row per maintenance job: who runs it now, and until when the claim holds. */
export interface MaintenanceLeasesTable {
  name: string;
  holder: string;
  acquired_at: Date;
  expires_at: Date;
}

/** Another server instance (or `pnpm admin maintenance run`) is running the job. */
export class MaintenanceBusyError extends Error {
  constructor(
    readonly job: string,
    readonly holder: string,
    readonly expiresAt: Date,
  ) {
    super(
      `Another ${job} pass is running (${holder}); its lease expires at ${expiresAt.toISOString()} unless renewed.`,
    );
    this.name = 'MaintenanceBusyError';
  }
}

/** The lease was taken over (it expired while this holder was paused): stop at once. */
export class MaintenanceLeaseLostError extends Error {
  constructor(readonly job: string) {
    super(`The ${job} lease was lost: another holder took it over after it expired.`);
    this.name = 'MaintenanceLeaseLostError';
  }
}

/** A claim on a maintenance job; renew it between units of work and release it at the end. */
export interface MaintenanceLease {
  holder: string;
  /** Extends the claim; throws {@link MaintenanceLeaseLostError} if it is no longer ours. */
  renew(): Promise<void>;
  release(): Promise<void>;
}

/** A name for this process in `maintenance_leases.holder`: host, pid and a unique suffix. */
export function leaseHolderName(kind: string): string {
  return `${kind}@${hostname()}:${process.pid}:${ulid()}`;
}

/**
 * Takes the job's lease: one statement, so two instances racing for it cannot both win. A
 * lease whose holder stopped renewing it (a crashed process) is taken over once it expires.
 * The database's clock decides expiry, so instances' clocks need not agree.
 */
export async function acquireMaintenanceLease(
  db: Db,
  options: { job: string; holder: string; ttlSeconds: number },
): Promise<MaintenanceLease> {
  const { job, holder, ttlSeconds } = options;
  const ttl = sql`make_interval(secs => ${ttlSeconds})`;
  const taken = await db
    .insertInto('maintenance_leases')
    .values({ name: job, holder, acquired_at: sql`now()`, expires_at: sql`now() + ${ttl}` })
    .onConflict((oc) =>
      oc
        .column('name')
        .doUpdateSet({
          holder: (eb) => eb.ref('excluded.holder'),
          acquired_at: (eb) => eb.ref('excluded.acquired_at'),
          expires_at: (eb) => eb.ref('excluded.expires_at'),
        })
        .where('maintenance_leases.expires_at', '<', sql<Date>`now()`),
    )
    .returning('holder')
    .executeTakeFirst();
  if (!taken) {
    const current = await db
      .selectFrom('maintenance_leases')
      .select(['holder', 'expires_at'])
      .where('name', '=', job)
      .executeTakeFirst();
    // Released between the two statements: the next attempt will get it.
    throw new MaintenanceBusyError(job, current?.holder ?? 'unknown', current?.expires_at ?? new Date());
  }
  return {
    holder,
    renew: async () => {
      const renewed = await db
        .updateTable('maintenance_leases')
        .set({ expires_at: sql`now() + ${ttl}` })
        .where('name', '=', job)
        .where('holder', '=', holder)
        .executeTakeFirst();
      if (Number(renewed.numUpdatedRows) !== 1) throw new MaintenanceLeaseLostError(job);
    },
    release: async () => {
      await db.deleteFrom('maintenance_leases').where('name', '=', job).where('holder', '=', holder).execute();
    },
  };
}
