import { ulid } from 'ulid';
import type { Db } from '../db/database';
import type { TenantRow } from './tenants.table';

export async function createTenant(db: Db, name: string, id: string = ulid()): Promise<TenantRow> {
  return db.insertInto('tenants').values({ id, name }).returningAll().executeTakeFirstOrThrow();
}

export async function findTenant(db: Db, id: string): Promise<TenantRow | undefined> {
  return db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The bounds `retention_days` accepts (a check constraint enforces them too). */
export const RETENTION_DAYS_MIN = 1;
export const RETENTION_DAYS_MAX = 36_500;

/** Sets a tenant's retention period; undefined when there is no such tenant. */
export async function updateTenantRetention(db: Db, id: string, retentionDays: number): Promise<TenantRow | undefined> {
  return db
    .updateTable('tenants')
    .set({ retention_days: retentionDays })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** A tenant's retention period in days (a key's tenant always exists: keys cascade with it). */
export async function tenantRetentionDays(db: Db, id: string): Promise<number> {
  const row = await db.selectFrom('tenants').select('retention_days').where('id', '=', id).executeTakeFirstOrThrow();
  return row.retention_days;
}

export async function countTenants(db: Db): Promise<number> {
  const row = await db
    .selectFrom('tenants')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export interface TenantSummary extends TenantRow {
  /** Every key the tenant has had, revoked and expired ones included. */
  keys: number;
  /** Keys that authenticate now: neither revoked nor expired. */
  activeKeys: number;
}

/** Every tenant, oldest first, with its key counts. */
export async function listTenants(db: Db, now = new Date()): Promise<TenantSummary[]> {
  const rows = await db
    .selectFrom('tenants as t')
    .leftJoin('api_keys as k', 'k.tenant_id', 't.id')
    .select((eb) => [
      't.id',
      't.name',
      't.created_at',
      't.retention_days',
      eb.fn.count<string>('k.id').as('keys'),
      eb.fn
        .count<string>('k.id')
        .filterWhere((k) =>
          k.and([k('k.revoked_at', 'is', null), k.or([k('k.expires_at', 'is', null), k('k.expires_at', '>', now)])]),
        )
        .as('active_keys'),
    ])
    .groupBy(['t.id', 't.name', 't.created_at', 't.retention_days'])
    .orderBy('t.created_at')
    .orderBy('t.id')
    .execute();
  return rows.map(({ keys, active_keys, ...tenant }) => ({
    ...tenant,
    keys: Number(keys),
    activeKeys: Number(active_keys),
  }));
}
