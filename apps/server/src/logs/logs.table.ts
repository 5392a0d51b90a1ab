import type { ColumnType, Insertable, Selectable } from 'kysely';
import type { ActorType, LogEventDetail, Severity } from '@1security/contract';

/** Audit events. Immutable once ingested; `source_id` makes ingestion idempotent. */
export interface LogEventsTable {
  tenant_id: string;
  id: string;
  /** The source system's id (O365 `Id`), unique per tenant; null for records without one. */
  source_id: string | null;
  occurred_at: Date;
  /** Millisecond precision (enforced), so that cursors carry the exact sort key. */
  discovered_at: Date;
  action: string;
  severity: Severity;
  actor_name: string;
  actor_type: ActorType;
  actor_ip: string | null;
  resource_name: string | null;
  resource_type: string;
  workload: string;
  application_display_name: string | null;
  /** The provider record as given (json, not jsonb: kept verbatim); null if there was none. */
  raw_data: ColumnType<LogEventDetail['rawData'], string | null | undefined, never>;
  /** Changes feed: the writing transaction (xid8, as a decimal string) and a sequence within it. */
  txid: ColumnType<string, never, never>;
  seq: ColumnType<string, never, never>;
}
export type LogEventRow = Selectable<LogEventsTable>;
export type NewLogEventRow = Insertable<LogEventsTable>;
