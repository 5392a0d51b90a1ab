import { sql, type Kysely } from 'kysely';

/**
 * Every ingested record keeps its raw provider record, as security alerts already did: `json`,
 * not `jsonb`, so the text is kept as given (key order included). Rows stored before this
 * migration have none (null); nothing can recover them.
 *
 * Security alerts gain their MITRE ATT&CK techniques (Graph alerts_v2 `mitreTechniques`) as a
 * column of their own; alerts stored before are backfilled from their raw payload where it
 * carries them. Adding nullable or constant-default columns rewrites no table.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table log_events add column raw_data json`.execute(db);
  await sql`alter table monitoring_alerts add column raw_data json`.execute(db);
  await sql`alter table security_alerts add column mitre_techniques jsonb not null default '[]'::jsonb`.execute(db);
  // Only arrays of strings are taken; anything else in a payload leaves the default.
  await sql`
    update security_alerts
       set mitre_techniques = raw_data::jsonb -> 'mitreTechniques'
     where json_typeof(raw_data -> 'mitreTechniques') = 'array'
       and not jsonb_path_exists(raw_data::jsonb -> 'mitreTechniques', '$[*] ? (@.type() != "string")')
       and jsonb_array_length(raw_data::jsonb -> 'mitreTechniques') > 0`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table security_alerts drop column mitre_techniques`.execute(db);
  await sql`alter table monitoring_alerts drop column raw_data`.execute(db);
  await sql`alter table log_events drop column raw_data`.execute(db);
}
