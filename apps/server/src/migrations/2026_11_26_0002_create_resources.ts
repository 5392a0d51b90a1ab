import { sql, type Kysely } from 'kysely';

/**
 * The three resources. Every index leads with tenant_id, so each list query for one tenant is
 * an index range scan whatever the page depth:
 *   lists:        (tenant_id, <sort column>, id)       — keyset pagination, both directions
 *   changes feed: (tenant_id, txid, seq)               — commit order
 *   idempotency:  (tenant_id, source_id) unique
 * Rows carry the writing transaction's id (`pg_current_xact_id()`) and a sequence number;
 * the feed serves only rows of transactions older than every running one (see changes feed).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('server_secrets')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  const msPrecision = (column: string) => sql.raw(`${column} = date_trunc('milliseconds', ${column})`);

  await sql`create sequence log_events_seq`.execute(db);
  await db.schema
    .createTable('log_events')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text')
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('discovered_at', 'timestamptz', (c) => c.notNull().check(msPrecision('discovered_at')))
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_ip', 'text')
    .addColumn('resource_name', 'text')
    .addColumn('resource_type', 'text', (c) => c.notNull())
    .addColumn('workload', 'text', (c) => c.notNull())
    .addColumn('application_display_name', 'text')
    .addColumn('txid', sql`xid8`, (c) => c.notNull().defaultTo(sql`pg_current_xact_id()`))
    .addColumn('seq', 'bigint', (c) => c.notNull().defaultTo(sql`nextval('log_events_seq')`))
    .addPrimaryKeyConstraint('log_events_pkey', ['tenant_id', 'id'])
    .execute();
  await sql`create index log_events_list_idx on log_events (tenant_id, discovered_at, id)`.execute(db);
  await sql`create index log_events_actor_idx on log_events (tenant_id, lower(actor_name), discovered_at, id)`.execute(
    db,
  );
  await sql`create index log_events_changes_idx on log_events (tenant_id, txid, seq)`.execute(db);
  await sql`create unique index log_events_source_idx on log_events (tenant_id, source_id)`.execute(db);

  await sql`create sequence monitoring_alerts_seq`.execute(db);
  await db.schema
    .createTable('monitoring_alerts')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('resource_type', 'text', (c) => c.notNull())
    .addColumn('resources', 'jsonb', (c) => c.notNull())
    .addColumn('assigned_user', 'jsonb')
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('created_from', 'jsonb', (c) => c.notNull())
    .addColumn('last_scan', 'timestamptz')
    .addColumn('resolved_at', 'timestamptz')
    .addColumn('snoozed_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().check(msPrecision('updated_at')))
    .addColumn('txid', sql`xid8`, (c) => c.notNull().defaultTo(sql`pg_current_xact_id()`))
    .addColumn('seq', 'bigint', (c) => c.notNull().defaultTo(sql`nextval('monitoring_alerts_seq')`))
    .addPrimaryKeyConstraint('monitoring_alerts_pkey', ['tenant_id', 'id'])
    .execute();
  await sql`create index monitoring_alerts_list_idx on monitoring_alerts (tenant_id, updated_at, id)`.execute(db);
  await sql`create index monitoring_alerts_changes_idx on monitoring_alerts (tenant_id, txid, seq)`.execute(db);
  await sql`create unique index monitoring_alerts_source_idx on monitoring_alerts (tenant_id, source_id)`.execute(db);

  await sql`create sequence security_alerts_seq`.execute(db);
  await db.schema
    .createTable('security_alerts')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text')
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('classification', 'text')
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('threat_display_name', 'text')
    .addColumn('first_activity_at', 'timestamptz')
    .addColumn('service_source', 'text', (c) => c.notNull())
    .addColumn('users', 'jsonb', (c) => c.notNull())
    .addColumn('groups', 'jsonb', (c) => c.notNull())
    .addColumn('emails', 'jsonb', (c) => c.notNull())
    .addColumn('apps', 'jsonb', (c) => c.notNull())
    .addColumn('raw_data', 'jsonb', (c) => c.notNull())
    .addColumn('recommended_actions', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().check(msPrecision('updated_at')))
    .addColumn('txid', sql`xid8`, (c) => c.notNull().defaultTo(sql`pg_current_xact_id()`))
    .addColumn('seq', 'bigint', (c) => c.notNull().defaultTo(sql`nextval('security_alerts_seq')`))
    .addPrimaryKeyConstraint('security_alerts_pkey', ['tenant_id', 'id'])
    .execute();
  await sql`create index security_alerts_list_idx on security_alerts (tenant_id, updated_at, id)`.execute(db);
  await sql`create index security_alerts_changes_idx on security_alerts (tenant_id, txid, seq)`.execute(db);
  await sql`create unique index security_alerts_source_idx on security_alerts (tenant_id, source_id)`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['security_alerts', 'monitoring_alerts', 'log_events']) {
    await db.schema.dropTable(table).execute();
    await sql`drop sequence ${sql.raw(`${table}_seq`)}`.execute(db);
  }
  await db.schema.dropTable('server_secrets').execute();
}
