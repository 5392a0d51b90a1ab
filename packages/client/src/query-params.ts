import type {
  ActorType,
  IncludableField,
  MONITORING_ALERT_STATUSES,
  SECURITY_ALERT_CLASSIFICATIONS,
  SECURITY_ALERT_STATUSES,
  SERVICE_SOURCES,
  Severity,
} from '@1security/contract';

/**
 * A list filter: one value, an array of values, or a comma-separated string
 * (`'high,critical'`). Values are OR-ed; different filters are AND-ed. An empty array is the
 * same as leaving the filter out.
 */
export type ListFilter<T extends string> = T | readonly T[] | `${T},${string}`;
/** A free-form list filter (exact values): a string, an array, or a comma-separated string. */
export type StringListFilter = string | readonly string[];
/** A time: a Date, or an ISO 8601 string with a zone (`2026-06-05T00:00:00Z`). */
export type TimeParam = Date | string;

export type MonitoringAlertStatus = (typeof MONITORING_ALERT_STATUSES)[number];
export type SecurityAlertStatus = (typeof SECURITY_ALERT_STATUSES)[number];
export type SecurityAlertClassification = (typeof SECURITY_ALERT_CLASSIFICATIONS)[number];
export type ServiceSource = (typeof SERVICE_SOURCES)[number];

/**
 * Opt-in item fields: `'rawData'` adds each item's raw provider record (as the detail
 * endpoint shows it) to a list page or changes batch. Left out by default so that pages stay
 * small. Not part of the cursor: it may change between pages.
 */
export type IncludeParam = ListFilter<IncludableField>;

/** Paging parameters of every list endpoint. */
export interface ListPageParams {
  /** Sort direction on the list's time column: `desc` (newest first, the default) or `asc`. */
  order?: 'asc' | 'desc';
  /** Page size, 1-1000 (default 50). Out of range is rejected with 400 VALIDATION_ERROR. */
  limit?: number;
  /** `pagination.nextCursor` of the previous page. Send the same filters with it. */
  cursor?: string;
  /** `'rawData'`: every item carries its raw provider record. */
  include?: IncludeParam;
}

/** Parameters of every changes feed besides the resource's filters. */
export interface ChangesPageParams {
  /**
   * First call only (no `cursor`): start from items at or after this time. Default: the
   * tenant's oldest stored item (nothing is deleted today).
   */
  from?: TimeParam;
  /** Batch size, 1-1000 (default 50). */
  limit?: number;
  /** `pagination.nextCursor` of the previous call; omit on the first call. */
  cursor?: string;
  /** `'rawData'`: every item carries its raw provider record. */
  include?: IncludeParam;
}

/** Filters of `GET /logs` and `GET /logs/changes`. */
export interface LogFilters {
  /** Only events of these severities. */
  severity?: ListFilter<Severity>;
  /** Only these operations (exact, case-sensitive), e.g. `['FileDownloaded', 'FileDeleted']`. */
  action?: StringListFilter;
  /** Only events from these Microsoft 365 workloads, e.g. `['SharePoint', 'Exchange']`. */
  workload?: StringListFilter;
  /** Only events by these kinds of actor. */
  actorType?: ListFilter<ActorType>;
  /** Only events on these kinds of object, e.g. `['file', 'folder']`. */
  resourceType?: StringListFilter;
  /** Only events by this actor: the exact `actorName`, compared case-insensitively. */
  actor?: string;
}

/** Query of `GET /logs`. `since`/`until` window on `discoveredAt`. */
export interface ListLogsParams extends LogFilters, ListPageParams {
  /** Only events discovered at or after this time (inclusive). */
  since?: TimeParam;
  /** Only events discovered before this time (exclusive). */
  until?: TimeParam;
}

/** Query of `GET /logs/changes`. */
export interface LogChangesParams extends LogFilters, ChangesPageParams {}

/** Filters of `GET /monitoring-alerts` and its changes feed. */
export interface MonitoringAlertFilters {
  /** Only alerts of these severities. */
  severity?: ListFilter<Severity>;
  /** Only alerts in these statuses. */
  status?: ListFilter<MonitoringAlertStatus>;
  /** Only alerts about these kinds of resource, e.g. `['site', 'mailbox']`. */
  resourceType?: StringListFilter;
  /** Only resolved (`true`) or unresolved (`false`) alerts. */
  isResolved?: boolean;
}

/** Query of `GET /monitoring-alerts`. `since`/`until` window on `updatedAt`. */
export interface ListMonitoringAlertsParams extends MonitoringAlertFilters, ListPageParams {
  /** Only alerts updated at or after this time (inclusive). */
  since?: TimeParam;
  /** Only alerts updated before this time (exclusive). */
  until?: TimeParam;
}

/** Query of `GET /monitoring-alerts/changes`. */
export interface MonitoringAlertChangesParams extends MonitoringAlertFilters, ChangesPageParams {}

/** Filters of `GET /security-alerts` and its changes feed. */
export interface SecurityAlertFilters {
  /** Only alerts of these severities. */
  severity?: ListFilter<Severity>;
  /** Only alerts in these statuses. */
  status?: ListFilter<SecurityAlertStatus>;
  /** Only alerts with these classifications. */
  classification?: ListFilter<SecurityAlertClassification>;
  /** Only alerts raised by these Microsoft services. */
  serviceSource?: ListFilter<ServiceSource>;
  /** Only resolved (`true`) or unresolved (`false`) alerts. */
  isResolved?: boolean;
}

/** Query of `GET /security-alerts`. `since`/`until` window on `updatedAt`. */
export interface ListSecurityAlertsParams extends SecurityAlertFilters, ListPageParams {
  /** Only alerts updated at or after this time (inclusive). */
  since?: TimeParam;
  /** Only alerts updated before this time (exclusive). */
  until?: TimeParam;
}

/** Query of `GET /security-alerts/changes`. */
export interface SecurityAlertChangesParams extends SecurityAlertFilters, ChangesPageParams {}
