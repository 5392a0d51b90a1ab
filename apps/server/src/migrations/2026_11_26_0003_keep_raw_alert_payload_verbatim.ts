import { sql, type Kysely } from 'kysely';

/**
 * `rawData` is "the provider payload exactly as ingested": jsonb reorders keys and drops
 * duplicate ones, json keeps the text as given (and is only ever read back whole).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table security_alerts alter column raw_data type json using raw_data::text::json`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table security_alerts alter column raw_data type jsonb using raw_data::jsonb`.execute(db);
}
