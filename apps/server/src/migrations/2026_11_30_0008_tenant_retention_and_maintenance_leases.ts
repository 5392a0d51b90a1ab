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
 * Retention deletes walk the existing (tenant_id, <time>, id) list indexes in short batches,
 * so no index is added here (see docs/scaling.md for why not partitions).
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
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('maintenance_leases').execute();
  await sql`alter table tenants drop column retention_days`.execute(db);
}
