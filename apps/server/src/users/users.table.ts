import type { ColumnType, Selectable } from 'kysely';
import type { UserRole } from '@1security/contract';

/** Dashboard users: one tenant each; email unique whatever its case. */
export interface UsersTable {
  id: string;
  tenant_id: string;
  email: string;
  role: UserRole;
  /** argon2id PHC string; null until the user follows their set-password link. */
  password_hash: string | null;
  /** The confirmed TOTP secret, encrypted (see totp-secret-box.ts); null when not enrolled. */
  totp_secret: string | null;
  /** A TOTP secret being enrolled, encrypted, until its first code confirms it. */
  totp_pending_secret: string | null;
  /** The last TOTP time step accepted for this user, so no code is accepted twice; null when none yet. */
  totp_last_step: number | null;
  created_at: ColumnType<Date, Date | undefined, never>;
  disabled_at: Date | null;
}
export type UserRow = Selectable<UsersTable>;

/** Server-side sessions: only the SHA-256 of the cookie's random token is stored. */
export interface UserSessionsTable {
  token_hash: string;
  user_id: string;
  created_at: Date;
  last_seen_at: Date;
}
export type UserSessionRow = Selectable<UserSessionsTable>;

/** One-time set-password tokens (SHA-256 only), single use, 24 h. */
export interface SetPasswordTokensTable {
  token_hash: string;
  user_id: string;
  expires_at: Date;
  used_at: Date | null;
}
