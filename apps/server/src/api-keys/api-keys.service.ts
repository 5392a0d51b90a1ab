import { SCOPES, type Scope } from '@1security/contract';
import { CLI_ACTOR, inTransaction, recordAuditEvent, type AuditActor } from '../audit/audit-events';
import type { Db } from '../db/database';
import { findTenant } from '../tenants/tenants.repository';
import { displayPrefix, generateSecret, hashSecret } from './api-key-secret';
import { findApiKeyForUpdate, insertApiKey, markApiKeyRevoked } from './api-keys.repository';
import type { ApiKeyRow } from './api-keys.table';

/**
 * The one path by which keys are minted and revoked: the dashboard, the operator CLI and
 * `scripts/createApiKey.ts` all come through here, so they record `createdBy` and write the
 * same audit events in the same transaction as the change.
 */

export interface CreateApiKeyInput {
  tenantId: string;
  name: string;
  scopes?: Scope[];
  rateLimit?: number | null;
  expiresAt?: Date | null;
  /** Who asks: recorded as `createdBy` (the user's email, or `cli`) and in the audit event. Default: the operator CLI. */
  actor?: AuditActor;
}

export interface CreatedApiKey {
  key: ApiKeyRow;
  /** The full secret. It exists only here: show it once, then forget it. */
  secret: string;
}

export class UnknownTenantError extends Error {
  constructor(readonly tenantId: string) {
    super(`No tenant with id ${tenantId}.`);
    this.name = 'UnknownTenantError';
  }
}

/** A key that would be dead on arrival: its expiry has already passed. */
export class ExpiryInThePastError extends Error {
  constructor(
    readonly expiresAt: Date,
    readonly now: Date,
  ) {
    super(
      `expiresAt ${expiresAt.toISOString()} is in the past (it is ${now.toISOString()}): a key must expire in the future.`,
    );
    this.name = 'ExpiryInThePastError';
  }
}

/** No such key, or (when a tenant was given) not one of that tenant's. */
export class UnknownApiKeyError extends Error {
  constructor(readonly keyId: string) {
    super(`No API key with id ${keyId}.`);
    this.name = 'UnknownApiKeyError';
  }
}

export class ApiKeyAlreadyRevokedError extends Error {
  constructor(readonly key: ApiKeyRow) {
    super(`API key ${key.id} was already revoked at ${key.revoked_at?.toISOString()}.`);
    this.name = 'ApiKeyAlreadyRevokedError';
  }
}

export function createdByOf(actor: AuditActor): string {
  return actor.type === 'user' ? actor.email : 'cli';
}

/** Mints a key for a tenant: a fresh secret, of which only the hash is stored. */
export async function createApiKey(
  db: Db,
  pepper: string | undefined,
  input: CreateApiKeyInput,
): Promise<CreatedApiKey> {
  const actor = input.actor ?? CLI_ACTOR;
  const now = new Date();
  if (input.expiresAt && input.expiresAt <= now) throw new ExpiryInThePastError(input.expiresAt, now);
  const secret = generateSecret();
  const key = await inTransaction(db, async (trx) => {
    if (!(await findTenant(trx, input.tenantId))) throw new UnknownTenantError(input.tenantId);
    const key = await insertApiKey(trx, {
      tenantId: input.tenantId,
      name: input.name,
      displayPrefix: displayPrefix(secret),
      secretHash: hashSecret(secret, pepper),
      scopes: input.scopes ?? [...SCOPES],
      rateLimit: input.rateLimit ?? null,
      expiresAt: input.expiresAt ?? null,
      createdBy: createdByOf(actor),
    });
    await recordAuditEvent(trx, {
      tenantId: key.tenant_id,
      action: 'ApiKeyCreated',
      actor,
      resourceType: 'apiKey',
      resourceName: key.name,
    });
    return key;
  });
  return { key, secret };
}

/**
 * Revokes a key: it fails on its very next request, on every server. `tenantId` confines the
 * lookup to that tenant (the dashboard); the operator CLI may revoke any key.
 */
export async function revokeApiKey(
  db: Db,
  input: { keyId: string; tenantId?: string; actor?: AuditActor },
): Promise<ApiKeyRow> {
  return inTransaction(db, async (trx) => {
    const key = await findApiKeyForUpdate(trx, input.keyId);
    if (!key || (input.tenantId !== undefined && key.tenant_id !== input.tenantId)) {
      throw new UnknownApiKeyError(input.keyId);
    }
    if (key.revoked_at) throw new ApiKeyAlreadyRevokedError(key);
    const revoked = await markApiKeyRevoked(trx, key.id, new Date());
    await recordAuditEvent(trx, {
      tenantId: key.tenant_id,
      action: 'ApiKeyRevoked',
      actor: input.actor ?? CLI_ACTOR,
      resourceType: 'apiKey',
      resourceName: key.name,
    });
    return revoked;
  });
}
