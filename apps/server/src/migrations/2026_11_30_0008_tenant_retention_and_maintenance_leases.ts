import { sql, type Kysely } from 'kysely';

/**
 * Per-tenant retention and the lease that lets one maintenance pass run at a time.
 *
 * `tenants.retention_days`: audit events older than this many days (by `discovered_at`), and
 * resolved alerts not updated for as long, are removed by the maintenance job. A constant
 * default rewrites no table.
 *
 * `maintenance_leases`: one row per job. A pass takes the row (insert, or take it over once
 * it has expired), renews it as it goes and deletes it when done. A row rather than an
 * advisory lock: on the embedded engine the server and the CLI share one PGlite session,
 * where session advisory locks are re-entrant and would let both run; a transaction-scoped
 * lock would hold a transaction open for the whole pass. The expiry covers a holder that died.
 *
 * Retention deletes walk an index on (tenant_id, <time>, id) in short batches (see
 * docs/scaling.md for why not partitions): audit events the existing list index; alerts a
 * partial index of resolved ones only, so that a tenant's old open alerts (which stay) are
 * never walked again by every pass. Alerts are few next to audit events: the extra index
 * costs little on their writes.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table tenants add column retention_days integer not null default 365
              constraint tenants_retention_days_check check (retention_days between 1 and 36500)`.execute(db);
  await db.schema
    .createTable('maintenance_leases')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('acquired_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  for (const table of ['monitoring_alerts', 'security_alerts']) {
    await sql`create index ${sql.raw(`${table}_retention_idx`)} on ${sql.table(table)} (tenant_id, updated_at, id)
                where status = 'resolved'`.execute(db);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['monitoring_alerts', 'security_alerts']) {
    await sql`drop index ${sql.raw(`${table}_retention_idx`)}`.execute(db);
  }
  await db.schema.dropTable('maintenance_leases').execute();
  await sql`alter table tenants drop column retention_days`.execute(db);
}
