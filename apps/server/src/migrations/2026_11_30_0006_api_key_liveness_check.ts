import { sql, type Kysely } from 'kysely';

/**
 * `api_key_is_live(id)`: true while the key exists, is not revoked and has not expired;
 * otherwise it raises SQLSTATE 1SK01. The server adds it to each request's data statement
 * (a one-time filter, evaluated once per statement), so a request authenticated from the
 * server's memory still costs one round trip and a revoked key fails on its very next request
 * on every instance. STABLE, so the planner treats the call as a constant of the statement.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function api_key_is_live(key_id text) returns boolean
    language plpgsql stable as $$
    begin
      if exists (select 1 from api_keys
                  where id = key_id and revoked_at is null and (expires_at is null or expires_at > now())) then
        return true;
      end if;
      raise exception 'API key % is revoked, expired or deleted', key_id using errcode = '1SK01';
    end
    $$`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function api_key_is_live(text)`.execute(db);
}
