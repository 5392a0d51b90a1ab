import { sql } from 'kysely';
import { ulid } from 'ulid';
import type { UserRole } from '@1security/contract';
import type { Db } from '../db/database';
import type { UserRow } from './users.table';

export async function insertUser(db: Db, user: { tenantId: string; email: string; role: UserRole }): Promise<UserRow> {
  return db
    .insertInto('users')
    .values({
      id: ulid(),
      tenant_id: user.tenantId,
      email: user.email,
      role: user.role,
      password_hash: null,
      totp_secret: null,
      totp_pending_secret: null,
      totp_last_step: null,
      disabled_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The user with this email, whatever its case. */
export async function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where(sql<string>`lower(email)`, '=', email.toLowerCase())
    .executeTakeFirst();
}

export async function findUser(db: Db, userId: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
}

export async function listUsers(db: Db, tenantId: string): Promise<UserRow[]> {
  return db
    .selectFrom('users')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function markUserDisabled(db: Db, userId: string, at: Date): Promise<void> {
  await db.updateTable('users').set({ disabled_at: at }).where('id', '=', userId).execute();
}

export async function updatePasswordHash(db: Db, userId: string, passwordHash: string): Promise<void> {
  await db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', userId).execute();
}

export async function updateTotpSecrets(
  db: Db,
  userId: string,
  secrets: { totp_secret?: string | null; totp_pending_secret?: string | null; totp_last_step?: number | null },
): Promise<void> {
  await db.updateTable('users').set(secrets).where('id', '=', userId).execute();
}

/**
 * Records `step` as the user's last accepted TOTP step, only when it is later than the last one:
 * true when it was. One conditional update, so of two requests racing with one code only one wins.
 */
export async function claimTotpStep(db: Db, userId: string, step: number): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set({ totp_last_step: step })
    .where('id', '=', userId)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/**
 * Makes the pending secret the confirmed one and claims the confirming code's step, only while
 * that secret is still pending and the step is later than the last accepted: true when it did.
 */
export async function confirmTotpSecret(
  db: Db,
  input: { userId: string; pendingSecret: string; step: number },
): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set({ totp_secret: input.pendingSecret, totp_pending_secret: null, totp_last_step: input.step })
    .where('id', '=', input.userId)
    .where('totp_secret', 'is', null)
    .where('totp_pending_secret', '=', input.pendingSecret)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', input.step)]))
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

// --- sessions ---------------------------------------------------------------------------

export async function insertSession(db: Db, session: { tokenHash: string; userId: string; at: Date }): Promise<void> {
  await db
    .insertInto('user_sessions')
    .values({
      token_hash: session.tokenHash,
      user_id: session.userId,
      created_at: session.at,
      last_seen_at: session.at,
    })
    .execute();
}

/** The session with this token hash, its user and the user's tenant name. */
export async function findSession(db: Db, tokenHash: string) {
  return db
    .selectFrom('user_sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .innerJoin('tenants as t', 't.id', 'u.tenant_id')
    .selectAll('u')
    .select(['s.created_at as session_created_at', 's.last_seen_at as session_last_seen_at', 't.name as tenant_name'])
    .where('s.token_hash', '=', tokenHash)
    .executeTakeFirst();
}

export async function touchSession(db: Db, tokenHash: string, at: Date): Promise<void> {
  await db.updateTable('user_sessions').set({ last_seen_at: at }).where('token_hash', '=', tokenHash).execute();
}

export async function deleteSession(db: Db, tokenHash: string): Promise<void> {
  await db.deleteFrom('user_sessions').where('token_hash', '=', tokenHash).execute();
}

export async function deleteSessionsOfUser(db: Db, userId: string): Promise<void> {
  await db.deleteFrom('user_sessions').where('user_id', '=', userId).execute();
}

// --- set-password tokens ----------------------------------------------------------------

/** Stores a new token for the user; any earlier unused one stops working. */
export async function replaceSetPasswordToken(
  db: Db,
  token: { tokenHash: string; userId: string; expiresAt: Date },
): Promise<void> {
  await db.deleteFrom('set_password_tokens').where('user_id', '=', token.userId).execute();
  await db
    .insertInto('set_password_tokens')
    .values({ token_hash: token.tokenHash, user_id: token.userId, expires_at: token.expiresAt, used_at: null })
    .execute();
}

/** Marks the token used, once: the user id when it was unused and unexpired, else undefined. */
export async function consumeSetPasswordToken(db: Db, tokenHash: string, at: Date): Promise<string | undefined> {
  const row = await db
    .updateTable('set_password_tokens')
    .set({ used_at: at })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', at)
    .returning('user_id')
    .executeTakeFirst();
  return row?.user_id;
}
