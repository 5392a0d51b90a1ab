import { SCOPES, type Scope } from '@1security/contract';
import type { Db } from '../db/database';
import { findTenant } from '../tenants/tenants.repository';
import { displayPrefix, generateSecret, hashSecret } from './api-key-secret';
import { insertApiKey } from './api-keys.repository';
import type { ApiKeyRow } from './api-keys.table';

export interface CreateApiKeyInput {
  tenantId: string;
  name: string;
  scopes?: Scope[];
  rateLimit?: number | null;
  expiresAt?: Date | null;
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

/** Mints a key for a tenant: a fresh secret, of which only the hash is stored. */
export async function createApiKey(
  db: Db,
  pepper: string | undefined,
  input: CreateApiKeyInput,
): Promise<CreatedApiKey> {
  const now = new Date();
  if (input.expiresAt && input.expiresAt <= now) throw new ExpiryInThePastError(input.expiresAt, now);
  if (!(await findTenant(db, input.tenantId))) throw new UnknownTenantError(input.tenantId);
  const secret = generateSecret();
  const key = await insertApiKey(db, {
    tenantId: input.tenantId,
    name: input.name,
    displayPrefix: displayPrefix(secret),
    secretHash: hashSecret(secret, pepper),
    scopes: input.scopes ?? [...SCOPES],
    rateLimit: input.rateLimit ?? null,
    expiresAt: input.expiresAt ?? null,
  });
  return { key, secret };
}
