import {
  contract,
  type LogEvent,
  type LogEventDetail,
  type MonitoringAlert,
  type MonitoringAlertDetail,
  type Ping,
  type SecurityAlert,
  type SecurityAlertDetail,
} from '@1security/contract';
import { initClient, type InitClientReturn } from '@ts-rest/core';
import { ApiError } from './api-error';
import { pages, paginate, type Page, type PaginateOptions } from './pagination';
import type {
  ListLogsParams,
  ListMonitoringAlertsParams,
  ListSecurityAlertsParams,
  LogChangesParams,
  LogFilters,
  MonitoringAlertChangesParams,
  MonitoringAlertFilters,
  SecurityAlertChangesParams,
  SecurityAlertFilters,
} from './query-params';
import { toSearchParams } from './query-string';
import {
  createRetryingFetcher,
  DEFAULT_RETRY,
  resolveRetry,
  type FetcherResponse,
  type RequestOptions,
  type ResponseEvent,
  type RetryEvent,
  type RetryOptions,
  type SleepFunction,
} from './retrying-fetcher';
import {
  sync,
  syncBatches,
  type ChangesFetcher,
  type SyncBatch,
  type SyncBatchesOptions,
  type SyncOptions,
  type SyncResult,
} from './sync';
import { CLIENT_VERSION } from './version';

/** Production origin of the 1Security API. */
export const DEFAULT_BASE_URL = 'https://api.1security.ai';
/** Per-attempt time limit when none is given. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** Options of {@link createClient}. */
export interface ClientOptions {
  /** The API key, `1sec_live_…`. Sent as `Authorization: Bearer <key>`. */
  apiKey: string;
  /**
   * Where the API is: its origin (`http://localhost:4001`) or its base URL with `/api/v1`
   * (as the reference writes it); both work. Default `https://api.1security.ai`.
   */
  baseUrl?: string;
  /** The `fetch` to use (default: the global one). Handy for proxies, instrumentation and tests. */
  fetch?: typeof globalThis.fetch;
  /** Per-attempt time limit in ms, headers and body included. Default 30 000. */
  timeoutMs?: number;
  /**
   * Retry policy for GET requests (the only kind this API has): 429 waits `Retry-After`;
   * 408/5xx, network errors and timeouts back off exponentially with jitter. `false`
   * disables retries. Default `{ maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 20000, maxRetryAfterMs: 60000 }`.
   */
  retry?: RetryOptions | false;
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
  /** Check every 2xx body against the contract's zod schemas (off by default). */
  validateResponses?: boolean;
  /**
   * Every wait between two attempts of a call, the exponential backoff and the `Retry-After` of
   * a 429, goes through this function: `(ms, signal) => Promise<void>`, which must reject with
   * `signal.reason` when `signal` aborts. Default: a timer. Inject your own to run retries on
   * your scheduler, or in tests to record the waits the client chose without spending them.
   *
   * @example
   * const waits: number[] = [];
   * const client = createClient({ apiKey, sleep: async (ms) => void waits.push(ms) });
   */
  sleep?: SleepFunction;
  /**
   * The source of retry jitter, a number in [0, 1) like `Math.random` (the default). With
   * `() => 0` the client waits exactly `Retry-After` seconds, and half the backoff ceiling.
   */
  random?: () => number;
  /** Called before each retry: log it, count it. */
  onRetry?: (event: RetryEvent) => void;
  /** Called for every HTTP response, retried ones included, with its request id and rate-limit state. */
  onResponse?: (event: ResponseEvent) => void;
}

/** The extra per-call arguments the raw ts-rest client accepts besides ts-rest's own. */
export interface RawClientExtraArgs {
  /** Per-attempt time limit in ms. */
  timeoutMs?: number;
  /** Retry policy for this call; `false` disables retries. */
  retry?: RetryOptions | false;
}

type RawClientArgs = {
  baseUrl: string;
  api: (args: Parameters<ReturnType<typeof createRetryingFetcher>>[0]) => Promise<FetcherResponse>;
};

/**
 * The ts-rest client of the contract, sharing this client's key, timeouts and retries. Its
 * calls resolve to `{ status, body, headers }` for every status instead of throwing.
 */
export type RawClient = InitClientReturn<typeof contract, RawClientArgs>;

/** `sync` options of a resource: the checkpoint `key` defaults to the resource and its filters. */
export type ResourceSyncOptions<TFilters, TItem> = Omit<SyncOptions<TFilters, TItem>, 'key'> & { key?: string };
/** `syncBatches` options of a resource: the checkpoint `key` defaults to the resource and its filters. */
export type ResourceSyncBatchesOptions<TFilters> = Omit<SyncBatchesOptions<TFilters>, 'key'> & { key?: string };

/**
 * The item type of a page asked for with `params`: with `include` naming `rawData` (the only
 * includable field), `rawData` is certain rather than optional.
 */
export type IncludedItem<TItem, TParams> = TParams extends { include: infer I }
  ? I extends undefined | null | readonly []
    ? TItem
    : TItem & Required<Pick<TItem, Extract<keyof TItem, 'rawData'>>>
  : TItem;

/** The calls of one resource. Every method is bound: pass `client.logs.list` around freely. */
export interface ResourceClient<TItem, TDetail, TListParams, TChangesParams, TFilters> {
  /**
   * One page of the list. Throws {@link ApiError} on any error status. With
   * `include: 'rawData'` every item carries `rawData`.
   */
  list<P extends TListParams>(params?: P, options?: RequestOptions): Promise<Page<IncludedItem<TItem, P>>>;
  /** One item by id. Throws {@link ApiError} (`NOT_FOUND`, 404) if it is not your tenant's. */
  get(id: string, options?: RequestOptions): Promise<TDetail>;
  /** One batch of the changes feed. Prefer {@link ResourceClient.sync}, which keeps the checkpoint for you. */
  changes<P extends TChangesParams>(params?: P, options?: RequestOptions): Promise<Page<IncludedItem<TItem, P>>>;
  /** Every page of the list with these filters, following `nextCursor`. */
  pages<P extends Omit<TListParams, 'cursor'>>(
    params?: P,
    options?: PaginateOptions,
  ): AsyncGenerator<Page<IncludedItem<TItem, P>>, void, undefined>;
  /** Every item of the list with these filters, page after page. */
  paginate<P extends Omit<TListParams, 'cursor'>>(
    params?: P,
    options?: PaginateOptions,
  ): AsyncGenerator<IncludedItem<TItem, P>, void, undefined>;
  /**
   * Incremental sync from the changes feed: resumes from the store's checkpoint, hands each
   * batch to `handler`, saves the checkpoint after the handler resolves.
   */
  sync(options: ResourceSyncOptions<TFilters, TItem>): Promise<SyncResult>;
  /** The changes feed as an async iterator of batches; the checkpoint moves when the loop asks for the next batch. */
  syncBatches(options: ResourceSyncBatchesOptions<TFilters>): AsyncGenerator<SyncBatch<TItem>, void, undefined>;
}

export type LogsClient = ResourceClient<LogEvent, LogEventDetail, ListLogsParams, LogChangesParams, LogFilters>;
export type MonitoringAlertsClient = ResourceClient<
  MonitoringAlert,
  MonitoringAlertDetail,
  ListMonitoringAlertsParams,
  MonitoringAlertChangesParams,
  MonitoringAlertFilters
>;
export type SecurityAlertsClient = ResourceClient<
  SecurityAlert,
  SecurityAlertDetail,
  ListSecurityAlertsParams,
  SecurityAlertChangesParams,
  SecurityAlertFilters
>;

/** A client of the 1Security API, from {@link createClient}. */
export interface OneSecurityClient {
  /** The origin requests go to (`/api/v1/…` is appended per route). */
  readonly baseUrl: string;
  /** `GET /ping`: the tenant, key and scopes the API key maps to. Validates setup. */
  ping(options?: RequestOptions): Promise<Ping>;
  /** Audit logs (`logs:read`); `get` adds `rawData`, the raw provider record (`null` if none was kept). */
  readonly logs: LogsClient;
  /** Monitoring alerts (`monitoring-alerts:read`); `get` adds `rawData` (`null` if none was kept). */
  readonly monitoringAlerts: MonitoringAlertsClient;
  /** Security alerts (`security-alerts:read`); `get` adds `rawData` and `recommendedActions`. */
  readonly securityAlerts: SecurityAlertsClient;
  /** The underlying ts-rest client, for `{ status, body, headers }` responses instead of exceptions. */
  readonly raw: RawClient;
}

/**
 * Creates a client of the 1Security API.
 *
 * @example
 * import { createClient } from '@1security/client';
 *
 * const client = createClient({ apiKey: process.env.ONESEC_API_KEY! });
 * const { tenantId, scopes } = await client.ping();
 * const page = await client.logs.list({ severity: ['high', 'critical'], limit: 100 });
 */
export function createClient(options: ClientOptions): OneSecurityClient {
  if (typeof options.apiKey !== 'string' || options.apiKey.trim() === '') {
    throw new TypeError('createClient: apiKey is required (1sec_live_…).');
  }
  const baseUrl = normaliseBaseUrl(options.baseUrl ?? DEFAULT_BASE_URL);
  const fetchFn = options.fetch ?? globalThis.fetch;
  if (typeof fetchFn !== 'function') throw new TypeError('createClient: no fetch available; pass options.fetch.');
  for (const name of ['sleep', 'random'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') {
      throw new TypeError(`createClient: ${name} must be a function.`);
    }
  }

  const api = createRetryingFetcher({
    fetch: fetchFn,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    retry: resolveRetry(options.retry, DEFAULT_RETRY),
    sleep: options.sleep,
    random: options.random,
    onRetry: options.onRetry,
    onResponse: options.onResponse,
  });
  const raw = initClient(contract, {
    baseUrl,
    baseHeaders: {
      // A page of 1,000 items is ~400 KB of JSON, ~55 KB gzipped. gzip rather than brotli: on
      // the server it costs less CPU per page for about the same size (BENCHMARKS.md). Node's
      // fetch decodes it (and would send gzip, deflate by default); browsers set this header
      // themselves.
      'accept-encoding': 'gzip',
      ...options.headers,
      authorization: `Bearer ${options.apiKey}`,
      accept: 'application/json',
      'user-agent': `1security-client-js/${CLIENT_VERSION}`,
    },
    api,
    validateResponse: options.validateResponses ?? false,
  }) as RawClient;

  const ping = (requestOptions?: RequestOptions) =>
    call<{ data: Ping }>(raw.ping.ping, {}, requestOptions).then((body) => body.data);

  return {
    baseUrl,
    ping,
    logs: resourceClient<LogEvent, LogEventDetail, ListLogsParams, LogChangesParams, LogFilters>('logs', {
      list: raw.logs.listLogs,
      changes: raw.logs.listLogChanges,
      get: raw.logs.getLog,
    }),
    monitoringAlerts: resourceClient<
      MonitoringAlert,
      MonitoringAlertDetail,
      ListMonitoringAlertsParams,
      MonitoringAlertChangesParams,
      MonitoringAlertFilters
    >('monitoring-alerts', {
      list: raw.monitoringAlerts.listMonitoringAlerts,
      changes: raw.monitoringAlerts.listMonitoringAlertChanges,
      get: raw.monitoringAlerts.getMonitoringAlert,
    }),
    securityAlerts: resourceClient<
      SecurityAlert,
      SecurityAlertDetail,
      ListSecurityAlertsParams,
      SecurityAlertChangesParams,
      SecurityAlertFilters
    >('security-alerts', {
      list: raw.securityAlerts.listSecurityAlerts,
      changes: raw.securityAlerts.listSecurityAlertChanges,
      get: raw.securityAlerts.getSecurityAlert,
    }),
    raw,
  };
}

/** `https://host/api/v1/` → `https://host`: the contract's paths carry `/api/v1` themselves. */
function normaliseBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new TypeError(`createClient: baseUrl ${JSON.stringify(baseUrl)} is not an absolute URL.`);
  }
  const path = url.pathname.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
  return `${url.origin}${path}`;
}

// The raw route functions, loosely typed: the typed surface is the ResourceClient interface.
type RawRoute = (args: Record<string, unknown>) => Promise<FetcherResponse>;

/** Calls a raw route and returns its 200 body, or throws {@link ApiError}. */
async function call<TBody>(
  route: unknown,
  args: Record<string, unknown>,
  options: RequestOptions = {},
): Promise<TBody> {
  const response = await (route as RawRoute)({
    ...args,
    fetchOptions: options.signal ? { signal: options.signal } : undefined,
    extraHeaders: options.headers,
    timeoutMs: options.timeoutMs,
    retry: options.retry,
  });
  if (response.status >= 200 && response.status < 300) return response.body as TBody;
  throw ApiError.fromResponse(response);
}

function resourceClient<
  TItem,
  TDetail,
  TListParams extends object,
  TChangesParams extends object,
  TFilters extends object,
>(
  resource: string,
  routes: { list: unknown; changes: unknown; get: unknown },
): ResourceClient<TItem, TDetail, TListParams, TChangesParams, TFilters> {
  const list = (params?: TListParams, options?: RequestOptions) =>
    call<Page<TItem>>(routes.list, { query: params ?? {} }, options);
  const changes = (params?: TChangesParams, options?: RequestOptions) =>
    call<Page<TItem>>(routes.changes, { query: params ?? {} }, options);
  const get = async (id: string, options?: RequestOptions) => {
    if (typeof id !== 'string' || id === '') throw new TypeError(`${resource}.get: id must be a non-empty string.`);
    const body = await call<{ data: TDetail }>(routes.get, { params: { id: encodeURIComponent(id) } }, options);
    return body.data;
  };
  const defaultKey = (filters: object | undefined) => {
    const query = toSearchParams(filters as Record<string, unknown> | undefined);
    query.sort();
    const text = query.toString();
    return text ? `${resource}?${text}` : resource;
  };
  // The run-time calls are the same with or without `include`; only the item type narrows.
  type Client = ResourceClient<TItem, TDetail, TListParams, TChangesParams, TFilters>;
  return {
    list: list as Client['list'],
    get,
    changes: changes as Client['changes'],
    pages: ((params?: TListParams, options?: PaginateOptions) => pages(list, params, options)) as Client['pages'],
    paginate: ((params?: TListParams, options?: PaginateOptions) =>
      paginate(list, params, options)) as Client['paginate'],
    sync: (options) =>
      sync(changes as ChangesFetcher, { ...options, key: options.key ?? defaultKey(options.filters) } as never),
    syncBatches: (options) =>
      syncBatches(
        changes as ChangesFetcher,
        { ...options, key: options.key ?? defaultKey(options.filters) } as never,
      ) as AsyncGenerator<SyncBatch<TItem>, void, undefined>,
  };
}
