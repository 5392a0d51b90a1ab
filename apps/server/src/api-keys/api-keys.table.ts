import type { ColumnType, Selectable } from 'kysely';
import type { Scope } from '@1security/contract';

export interface ApiKeysTable {
  id: string;
  tenant_id: string;
  name: string;
  /** The first characters of the secret, safe to display ("1sec_live_AbCd…"). */
  display_prefix: string;
  /** Hex SHA-256 (or HMAC-SHA-256 with the server's pepper) of the whole secret. */
  secret_hash: string;
  scopes: Scope[];
  /** Requests per minute; null means the server default. */
  rate_limit: number | null;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
  /** The email of the dashboard user who created it, or `cli` (operator CLI, scripts, demo). */
  created_by: string;
  created_at: ColumnType<Date, Date | undefined, never>;
}
export type ApiKeyRow = Selectable<ApiKeysTable>;
