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
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The key with this secret hash, whatever its state; the caller decides if it is usable. */
export async function findApiKeyByHash(db: Db, secretHash: string): Promise<ApiKeyRow | undefined> {
  return db.selectFrom('api_keys').selectAll().where('secret_hash', '=', secretHash).executeTakeFirst();
}

export async function listApiKeys(db: Db, tenantId: string): Promise<ApiKeyRow[]> {
  return db.selectFrom('api_keys').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').execute();
}

/** Revokes the key; returns false when there is no such key. Revoking twice keeps the first time. */
export async function revokeApiKey(db: Db, keyId: string, at = new Date()): Promise<boolean> {
  const key = await db.selectFrom('api_keys').select(['id']).where('id', '=', keyId).executeTakeFirst();
  if (!key) return false;
  await db
    .updateTable('api_keys')
    .set({ revoked_at: at })
    .where('id', '=', keyId)
    .where('revoked_at', 'is', null)
    .execute();
  return true;
}

export async function touchApiKeys(db: Db, keyIds: string[], at: Date): Promise<void> {
  if (keyIds.length === 0) return;
  await db.updateTable('api_keys').set({ last_used_at: at }).where('id', 'in', keyIds).execute();
}
