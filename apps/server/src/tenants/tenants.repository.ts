import { ulid } from 'ulid';
import type { Db } from '../db/database';
import type { TenantRow } from './tenants.table';

export async function createTenant(db: Db, name: string, id: string = ulid()): Promise<TenantRow> {
  return db.insertInto('tenants').values({ id, name }).returningAll().executeTakeFirstOrThrow();
}

export async function findTenant(db: Db, id: string): Promise<TenantRow | undefined> {
  return db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function countTenants(db: Db): Promise<number> {
  const row = await db
    .selectFrom('tenants')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
