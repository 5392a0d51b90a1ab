import { createHash, randomBytes } from 'node:crypto';
import type { UserRole } from '@1security/contract';
import { UnknownTenantError } from '../api-keys/api-keys.service';
import { inTransaction, recordAuditEvent, type AuditActor } from '../audit/audit-events';
import type { Db } from '../db/database';
import { findTenant } from '../tenants/tenants.repository';
import { hashPassword } from './password-hash';
import {
  consumeSetPasswordToken,
  deleteSessionsOfUser,
  findUser,
  findUserByEmail,
  insertUser,
  markUserDisabled,
  replaceSetPasswordToken,
  updatePasswordHash,
} from './users.repository';
import type { UserRow } from './users.table';

/** How long a set-password link works. */
export const SET_PASSWORD_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;

/** Session and set-password tokens are 256-bit random; only their SHA-256 is stored. */
export function newOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}
export function hashOpaqueToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** `<origin>/dashboard/set-password#token=…`: in the fragment, so it never reaches a server log. */
export function setPasswordUrl(origin: string, token: string): string {
  return `${origin.replace(/\/+$/, '')}/dashboard/set-password#token=${token}`;
}

export class EmailTakenError extends Error {
  constructor(readonly email: string) {
    super(`A user with email ${email} already exists.`);
    this.name = 'EmailTakenError';
  }
}
export class UnknownUserError extends Error {
  constructor(readonly userId: string) {
    super(`No user with id ${userId}.`);
    this.name = 'UnknownUserError';
  }
}

export interface SetPasswordLink {
  user: UserRow;
  /** The one-time token; put it in a link with {@link setPasswordUrl}. Not stored. */
  token: string;
  expiresAt: Date;
}

async function issueToken(db: Db, user: UserRow): Promise<SetPasswordLink> {
  const token = newOpaqueToken();
  const expiresAt = new Date(Date.now() + SET_PASSWORD_TOKEN_TTL_MS);
  await replaceSetPasswordToken(db, { tokenHash: hashOpaqueToken(token), userId: user.id, expiresAt });
  return { user, token, expiresAt };
}

/** Creates a user without a password, and the one-time token with which they set one. */
export async function createUser(
  db: Db,
  input: { tenantId: string; email: string; role: UserRole; actor: AuditActor },
): Promise<SetPasswordLink> {
  return inTransaction(db, async (trx) => {
    if (!(await findTenant(trx, input.tenantId))) throw new UnknownTenantError(input.tenantId);
    if (await findUserByEmail(trx, input.email)) throw new EmailTakenError(input.email);
    const user = await insertUser(trx, { tenantId: input.tenantId, email: input.email, role: input.role });
    await recordAuditEvent(trx, {
      tenantId: user.tenant_id,
      action: 'UserCreated',
      actor: input.actor,
      resourceType: 'user',
      resourceName: user.email,
    });
    return issueToken(trx, user);
  });
}

/** A new set-password link for an existing user; an earlier unused one stops working. */
export async function resetPassword(db: Db, userId: string): Promise<SetPasswordLink> {
  return inTransaction(db, async (trx) => {
    const user = await findUser(trx, userId);
    if (!user) throw new UnknownUserError(userId);
    return issueToken(trx, user);
  });
}

/** Disables a user and ends every session of theirs at once. Disabling twice keeps the first time. */
export async function disableUser(db: Db, userId: string, actor: AuditActor): Promise<UserRow> {
  return inTransaction(db, async (trx) => {
    const user = await findUser(trx, userId);
    if (!user) throw new UnknownUserError(userId);
    await deleteSessionsOfUser(trx, user.id);
    if (user.disabled_at) return user;
    const at = new Date();
    await markUserDisabled(trx, user.id, at);
    await recordAuditEvent(trx, {
      tenantId: user.tenant_id,
      action: 'UserDisabled',
      actor,
      resourceType: 'user',
      resourceName: user.email,
    });
    return { ...user, disabled_at: at };
  });
}

/**
 * Sets a user's password (hashed before the transaction starts) and ends every session of
 * theirs. `token`: the one-time token of a set-password link, consumed here; without it the
 * caller has already checked the current password.
 * Returns false when the token is unknown, used or expired.
 */
export async function storeNewPassword(
  db: Db,
  input: { userId?: string; token?: string; newPassword: string; ip: string | null },
): Promise<boolean> {
  const passwordHash = await hashPassword(input.newPassword);
  return inTransaction(db, async (trx) => {
    const userId = input.token
      ? await consumeSetPasswordToken(trx, hashOpaqueToken(input.token), new Date())
      : input.userId;
    const user = userId ? await findUser(trx, userId) : undefined;
    if (!user || user.disabled_at) return false;
    await updatePasswordHash(trx, user.id, passwordHash);
    await deleteSessionsOfUser(trx, user.id);
    await recordAuditEvent(trx, {
      tenantId: user.tenant_id,
      action: 'PasswordChanged',
      actor: { type: 'user', email: user.email, ip: input.ip },
      resourceType: 'user',
      resourceName: user.email,
    });
    return true;
  });
}
