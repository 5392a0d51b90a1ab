import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('webhook_endpoints')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    // JSON text: the subscribed resource names, and each one's filters as query strings.
    .addColumn('resources', 'text', (c) => c.notNull())
    .addColumn('filters', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('batch_size', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(1)
        .check(sql`batch_size between 1 and 100`),
    )
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('enabled', 'disabled')`))
    .addColumn('disabled_reason', 'text')
    // AES-256-GCM under a server secret; the previous secret signs too until it expires.
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('previous_secret', 'text')
    .addColumn('previous_secret_expires_at', 'timestamptz')
    .addColumn('start_from', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // Delivery state: when the next attempt is due, the current run of failures.
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('failure_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failing_since', 'timestamptz')
    .addColumn('last_error', 'text')
    // The lease: one instance delivers an endpoint at a time; an expired lease is free.
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('webhook_endpoints_tenant_idx')
    .on('webhook_endpoints')
    .columns(['tenant_id', 'created_at'])
    .execute();
  await sql`create index webhook_endpoints_due_idx on webhook_endpoints (next_attempt_at) where status = 'enabled'`.execute(
    db,
  );

  await db.schema
    .createTable('webhook_positions')
    .addColumn('endpoint_id', 'text', (c) => c.notNull().references('webhook_endpoints.id').onDelete('cascade'))
    .addColumn('resource', 'text', (c) => c.notNull())
    // The changes feed's position (xid8, seq as decimal text), as a feed cursor carries it.
    .addColumn('txid', 'text', (c) => c.notNull())
    .addColumn('seq', 'text', (c) => c.notNull())
    .addColumn('from_time', 'timestamptz')
    // The last row of the message in flight: a retry sends the same span, so the same webhook-id.
    .addColumn('pending_txid', 'text')
    .addColumn('pending_seq', 'text')
    .addPrimaryKeyConstraint('webhook_positions_pk', ['endpoint_id', 'resource'])
    .execute();

  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('endpoint_id', 'text', (c) => c.notNull().references('webhook_endpoints.id').onDelete('cascade'))
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('item_count', 'integer', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('error', 'text')
    .addColumn('response_snippet', 'text')
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_endpoint_idx')
    .on('webhook_deliveries')
    .columns(['endpoint_id', 'started_at', 'id'])
    .execute();
  await db.schema.createIndex('webhook_deliveries_started_idx').on('webhook_deliveries').column('started_at').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('webhook_deliveries').execute();
  await db.schema.dropTable('webhook_positions').execute();
  await db.schema.dropTable('webhook_endpoints').execute();
}
