import { sql } from 'kysely';
import { ulid } from 'ulid';
import type { Scope } from '@1security/contract';
import type { Db } from '../db/database';
import type { ApiKeyRow } from './api-keys.table';

export interface NewApiKey {
  tenantId: string;
  name: string;
  displayPrefix: string;
  secretHash: string;
  scopes: Scope[];
  rateLimit: number | null;
  expiresAt: Date | null;
  createdBy: string;
}

export async function insertApiKey(db: Db, key: NewApiKey): Promise<ApiKeyRow> {
  return db
    .insertInto('api_keys')
    .values({
      id: ulid(),
      tenant_id: key.tenantId,
      name: key.name,
      display_prefix: key.displayPrefix,
      secret_hash: key.secretHash,
      scopes: key.scopes,
      rate_limit: key.rateLimit,
      expires_at: key.expiresAt,
      revoked_at: null,
      last_used_at: null,
      created_by: key.createdBy,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The key with this secret hash, whatever its state; the caller decides if it is usable. */
export async function findApiKeyByHash(db: Db, secretHash: string): Promise<ApiKeyRow | undefined> {
  return db.selectFrom('api_keys').selectAll().where('secret_hash', '=', secretHash).executeTakeFirst();
}

/** A tenant's keys, oldest first (`newest`: newest first). */
export async function listApiKeys(
  db: Db,
  tenantId: string,
  order: 'oldest' | 'newest' = 'oldest',
): Promise<ApiKeyRow[]> {
  const direction = order === 'oldest' ? 'asc' : 'desc';
  return db
    .selectFrom('api_keys')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at', direction)
    .orderBy('id', direction)
    .execute();
}

/** The key with this id, locked for the rest of the transaction. */
export async function findApiKeyForUpdate(db: Db, keyId: string): Promise<ApiKeyRow | undefined> {
  return db.selectFrom('api_keys').selectAll().where('id', '=', keyId).forUpdate().executeTakeFirst();
}

export async function markApiKeyRevoked(db: Db, keyId: string, at: Date): Promise<ApiKeyRow> {
  return db
    .updateTable('api_keys')
    .set({ revoked_at: at })
    .where('id', '=', keyId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A key's last request as one instance saw it. */
export interface ApiKeyUse {
  keyId: string;
  at: Date;
}

/**
 * Records uses of keys. `last_used_at` never moves backwards (another instance may have written
 * a later use; `greatest` skips nulls), and never past the key's revocation: a request that was
 * still being served when the key was revoked was refused.
 */
export async function touchApiKeys(db: Db, uses: readonly ApiKeyUse[]): Promise<void> {
  if (uses.length === 0) return;
  const usedAt = sql<Date>`(case id ${sql.join(
    uses.map((use) => sql`when ${use.keyId} then ${use.at.toISOString()}::timestamptz`),
    sql` `,
  )} end)`;
  await db
    .updateTable('api_keys')
    .set({
      last_used_at: sql<Date>`greatest(last_used_at, case when revoked_at is null or ${usedAt} <= revoked_at then ${usedAt} end)`,
    })
    .where(
      'id',
      'in',
      uses.map((use) => use.keyId),
    )
    .execute();
}
