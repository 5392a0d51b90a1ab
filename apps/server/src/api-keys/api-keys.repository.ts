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

export async function touchApiKeys(db: Db, keyIds: string[], at: Date): Promise<void> {
  if (keyIds.length === 0) return;
  await db.updateTable('api_keys').set({ last_used_at: at }).where('id', 'in', keyIds).execute();
}
