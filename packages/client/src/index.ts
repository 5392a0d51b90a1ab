/**
 * The typed TypeScript client of the 1Security public API.
 *
 * @example
 * import { createClient, FileCheckpointStore } from '@1security/client';
 *
 * const client = createClient({ apiKey: process.env.ONESEC_API_KEY! });
 * for await (const event of client.logs.paginate({ severity: ['high', 'critical'] })) console.log(event.action);
 * await client.securityAlerts.sync({
 *   store: new FileCheckpointStore('./checkpoints.json'),
 *   handler: async ({ items }) => sendToSiem(items),
 * });
 */
export {
  createClient,
  DEFAULT_BASE_URL,
  DEFAULT_TIMEOUT_MS,
  type ClientOptions,
  type IncludedItem,
  type LogsClient,
  type MonitoringAlertsClient,
  type OneSecurityClient,
  type RawClient,
  type RawClientExtraArgs,
  type ResourceClient,
  type ResourceSyncBatchesOptions,
  type ResourceSyncOptions,
  type SecurityAlertsClient,
} from './create-client';
export { ApiConnectionError, ApiError, ApiTimeoutError, type RateLimitInfo } from './api-error';
export {
  DEFAULT_RETRY,
  type RequestOptions,
  type ResponseEvent,
  type RetryEvent,
  type RetryOptions,
  type RetryReason,
  type SleepFunction,
} from './retrying-fetcher';
export {
  pages,
  paginate,
  type Page,
  type PageFetcher,
  type PageItem,
  type PageParams,
  type PaginateOptions,
} from './pagination';
export {
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_SYNC_LIMIT,
  sync,
  syncBatches,
  type ChangesFetcher,
  type SyncBatch,
  type SyncBatchesOptions,
  type SyncOptions,
  type SyncResult,
} from './sync';
export { FileCheckpointStore, MemoryCheckpointStore, type CheckpointStore } from './checkpoint-store';
export type * from './query-params';
export { CLIENT_VERSION } from './version';

// The contract: item types, enums and the ts-rest router itself (bundled into this package).
export {
  ACTOR_TYPES,
  API_BASE_PATH,
  contract,
  ERROR_CODES,
  ERROR_STATUS,
  INCLUDABLE_FIELDS,
  MONITORING_ALERT_STATUSES,
  SCOPES,
  SECURITY_ALERT_CLASSIFICATIONS,
  SECURITY_ALERT_STATUSES,
  SERVICE_SOURCES,
  SEVERITIES,
} from '@1security/contract';
export type {
  ActorType,
  Contract,
  ErrorCode,
  ErrorDetail,
  ErrorEnvelope,
  IncludableField,
  LogEvent,
  LogEventDetail,
  MonitoringAlert,
  MonitoringAlertDetail,
  Pagination,
  Ping,
  Scope,
  SecurityAlert,
  SecurityAlertDetail,
  Severity,
} from '@1security/contract';
