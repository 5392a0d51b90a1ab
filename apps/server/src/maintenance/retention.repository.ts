import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/database';
import type { ResourceEntry } from '../resources/registry';

/** What a retention delete needs to know of a resource. */
export type RetentionTarget = Pick<ResourceEntry<unknown>, 'table' | 'expires'>;

/** The tenants retention walks, in a stable order, each with its period. */
export async function listTenantRetention(
  db: Db,
): Promise<Array<{ id: string; name: string; retention_days: number }>> {
  return db.selectFrom('tenants').select(['id', 'name', 'retention_days']).orderBy('id').execute();
}

function expiredRows(target: RetentionTarget, tenantId: string, cutoff: Date): RawBuilder<boolean> {
  const time = sql.ref(target.table.sortColumn);
  const resolved = target.expires === 'when-resolved' ? sql` and status = 'resolved'` : sql``;
  return sql<boolean>`tenant_id = ${tenantId} and ${time} < ${cutoff}${resolved}`;
}

/**
 * Deletes up to `limit` of a tenant's expired rows, oldest first, as one statement (its own
 * short transaction when run outside one).
 *
 * The inner select walks the (tenant_id, <time>, id) list index from the tenant's oldest row
 * and stops after `limit` matches; the delete then fetches those rows by their physical
 * address (a TID scan), so a batch costs the rows it removes, whatever else the table holds.
 * The conditions are repeated on the delete itself: a row changed after the select (an alert
 * reopened, say) is re-checked against its new version and kept if it no longer qualifies.
 */
export function deleteExpiredBatch(
  target: RetentionTarget,
  options: { tenantId: string; cutoff: Date; limit: number },
): RawBuilder<unknown> {
  const table = sql.table(target.table.table);
  const time = sql.ref(target.table.sortColumn);
  const expired = expiredRows(target, options.tenantId, options.cutoff);
  return sql`delete from ${table}
    where ctid = any(array(select ctid from ${table} where ${expired} order by ${time}, id limit ${options.limit}))
      and ${expired}`;
}

/** Runs one batch; returns how many rows it removed. */
export async function runExpiredBatch(
  db: Db,
  target: RetentionTarget,
  options: { tenantId: string; cutoff: Date; limit: number },
): Promise<number> {
  const result = await deleteExpiredBatch(target, options).execute(db);
  return Number(result.numAffectedRows ?? 0n);
}
