import { randomBytes } from 'node:crypto';
import type { Db } from './database';

/**
 * A secret generated once and shared by every instance through the database (e.g. the
 * cursor signing key): the first instance to ask creates it, the rest read it.
 */
export async function serverSecret(db: Db, name: string): Promise<string> {
  await db
    .insertInto('server_secrets')
    .values({ name, value: randomBytes(32).toString('base64url') })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('server_secrets').select('value').where('name', '=', name).executeTakeFirstOrThrow();
  return row.value;
}
