import type { ColumnType, Selectable } from 'kysely';

export type WebhookStatus = 'enabled' | 'disabled';
/** Why an endpoint is disabled: by an admin, after 3 days of failures, or on `410 Gone`. */
export type WebhookDisabledReason = 'manual' | 'failing' | 'gone';

/** Webhook endpoints: one tenant each; their secrets sealed, their delivery state and lease. */
export interface WebhookEndpointsTable {
  id: string;
  tenant_id: string;
  url: string;
  description: ColumnType<string, string | undefined, string>;
  /** JSON array of resource names. */
  resources: string;
  /** JSON object: resource name → { filter parameter → its query-string value }. */
  filters: ColumnType<string, string | undefined, string>;
  batch_size: number;
  status: WebhookStatus;
  disabled_reason: WebhookDisabledReason | null;
  /** The signing secret, sealed (AES-256-GCM under a server secret); never stored in clear. */
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
  /** Null: the endpoint started from its creation ("now"). */
  start_from: Date | null;
  created_at: ColumnType<Date, Date | undefined, never>;
  created_by: string;
  updated_at: ColumnType<Date, Date | undefined, Date>;
  next_attempt_at: ColumnType<Date, Date | undefined, Date>;
  failure_count: ColumnType<number, number | undefined, number>;
  failing_since: Date | null;
  last_error: string | null;
  lease_owner: string | null;
  lease_expires_at: Date | null;
}
export type WebhookEndpointRow = Selectable<WebhookEndpointsTable>;

/** Each endpoint's position in each subscribed changes feed. */
export interface WebhookPositionsTable {
  endpoint_id: string;
  resource: string;
  txid: string;
  seq: string;
  from_time: Date | null;
  pending_txid: string | null;
  pending_seq: string | null;
}
export type WebhookPositionRow = Selectable<WebhookPositionsTable>;

/** The delivery log: every attempt, kept 30 days. Never a secret. */
export interface WebhookDeliveriesTable {
  id: string;
  tenant_id: string;
  endpoint_id: string;
  message_id: string;
  event_type: string;
  item_count: number;
  attempt: number;
  started_at: Date;
  duration_ms: number;
  status_code: number | null;
  error: string | null;
  response_snippet: string | null;
}
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;
