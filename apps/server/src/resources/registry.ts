import type { Contract } from '@1security/contract';
import type pg from 'pg';
import type { Db } from '../db/database';
import { normaliseGraphAlert } from '../ingest/graph.normaliser';
import type { IngestFormat, NormaliseContext, Normalised } from '../ingest/ingest.types';
import { blobCopyLogEvents, copyLogEvents } from '../ingest/log-events.copy-writer';
import {
  normaliseNativeLog,
  normaliseNativeMonitoringAlert,
  normaliseNativeSecurityAlert,
} from '../ingest/native.normalisers';
import { normaliseO365Record } from '../ingest/o365.normaliser';
import { insertLogEventsBulk, logEventsTable } from '../logs/logs.repository';
import { logsRouter } from '../logs/logs.router';
import { monitoringAlertsTable, upsertMonitoringAlerts } from '../monitoring-alerts/monitoring-alerts.repository';
import { monitoringAlertsRouter } from '../monitoring-alerts/monitoring-alerts.router';
import type { GenerateOptions } from '../seed/generator-options';
import { generateLogEvents } from '../seed/logs.generator';
import { generateMonitoringAlerts } from '../seed/monitoring-alerts.generator';
import { generateSecurityAlerts } from '../seed/security-alerts.generator';
import { securityAlertsTable, upsertSecurityAlerts } from '../security-alerts/security-alerts.repository';
import { securityAlertsRouter } from '../security-alerts/security-alerts.router';
import type { ResourceRouterDeps } from './resource-handlers';
import type { ResourceName } from './resource-names';

export { RESOURCE_NAMES, type ResourceName } from './resource-names';

/** How many rows a write inserted, updated, or found stored already. */
export interface WriteResult {
  inserted: number;
  updated: number;
  unchanged: number;
}

/** Everything the server does per resource, in one entry: routes, table, ingest, seed. */
export interface ResourceEntry<Row, Name extends ResourceName = ResourceName> {
  /** The path segment, the CLI's `--type`, the cursor fingerprint's resource. */
  name: Name;
  /** The resource's key in the contract (and in the seed counts). */
  key: Exclude<keyof Contract, 'ping'>;
  /** Its table as the shared query core reads it (lists, feeds, details, query plans). */
  table: { table: string; sortColumn: string; filters: object };
  router: (deps: ResourceRouterDeps) => object;
  /** The formats `pnpm admin ingest` accepts for it, each normalised to a row. */
  formats: Partial<Record<IngestFormat, (record: unknown, ctx: NormaliseContext) => Normalised<Row>>>;
  /** Stores ingested or seeded rows: one statement per batch, idempotent by source id. */
  write: (db: Db, rows: Row[]) => Promise<WriteResult>;
  /**
   * Ingest's bulk path on PostgreSQL proper, where it has one: the batch through COPY, in a
   * transaction of its own on a connection of `pool`. Same result as `write`.
   */
  copyWrite?: (pool: pg.Pool, rows: Row[]) => Promise<WriteResult>;
  /**
   * The same on an in-process PGlite (COPY from PGlite's `/dev/blob`), inside the caller's
   * transaction `trx`. Same result as `write`.
   */
  blobCopyWrite?: (trx: Db, rows: Row[]) => Promise<WriteResult>;
  /** The demo-data generator (`pnpm admin seed`, the demo tenant). */
  generate: (options: GenerateOptions) => Iterable<Row>;
  /** Rows per seed batch (and per transaction). */
  seedBatchSize: number;
  /**
   * What retention removes once older than the tenant's period (by the sort column):
   * every item (`always`: audit events), or only resolved ones (`when-resolved`: alerts;
   * an open alert stays however old it is).
   */
  expires: 'always' | 'when-resolved';
}

// One statement per batch whatever its size: the columns travel as arrays (unnest), so a
// 10,000-record batch neither hits PostgreSQL's 65,535-parameter limit nor costs a
// 140,000-placeholder statement to build, send and plan.
async function writeLogs(db: Db, rows: Parameters<typeof insertLogEventsBulk>[1]): Promise<WriteResult> {
  const inserted = await insertLogEventsBulk(db, rows);
  return { inserted, updated: 0, unchanged: rows.length - inserted };
}

async function blobCopyLogs(trx: Db, rows: Parameters<typeof blobCopyLogEvents>[1]): Promise<WriteResult> {
  const inserted = await blobCopyLogEvents(trx, rows);
  return { inserted, updated: 0, unchanged: rows.length - inserted };
}

async function copyLogs(pool: pg.Pool, rows: Parameters<typeof copyLogEvents>[1]): Promise<WriteResult> {
  const inserted = await copyLogEvents(pool, rows);
  return { inserted, updated: 0, unchanged: rows.length - inserted };
}

const ALERT_BATCH_SIZE = 250;

function entry<Row, Name extends ResourceName>(resource: ResourceEntry<Row, Name>): ResourceEntry<Row, Name> {
  return resource;
}

/**
 * Every resource the API serves. The router, ingest, seed and the shared tests iterate this;
 * a new resource is one entry here (see docs/adding-a-resource.md).
 */
export const RESOURCES = {
  logs: entry({
    name: 'logs',
    key: 'logs',
    table: logEventsTable,
    router: logsRouter,
    formats: { native: normaliseNativeLog, o365: normaliseO365Record },
    write: writeLogs,
    copyWrite: copyLogs,
    blobCopyWrite: blobCopyLogs,
    generate: generateLogEvents,
    seedBatchSize: 5_000,
    expires: 'always',
  }),
  'monitoring-alerts': entry({
    name: 'monitoring-alerts',
    key: 'monitoringAlerts',
    table: monitoringAlertsTable,
    router: monitoringAlertsRouter,
    formats: { native: normaliseNativeMonitoringAlert },
    write: upsertMonitoringAlerts,
    generate: generateMonitoringAlerts,
    seedBatchSize: ALERT_BATCH_SIZE,
    expires: 'when-resolved',
  }),
  'security-alerts': entry({
    name: 'security-alerts',
    key: 'securityAlerts',
    table: securityAlertsTable,
    router: securityAlertsRouter,
    formats: { native: normaliseNativeSecurityAlert, graph: normaliseGraphAlert },
    write: upsertSecurityAlerts,
    generate: generateSecurityAlerts,
    seedBatchSize: ALERT_BATCH_SIZE,
    expires: 'when-resolved',
  }),
} satisfies { [N in ResourceName]: { name: N } };

/** The registry as a list, in the contract's order. */
export const RESOURCE_LIST: ReadonlyArray<ResourceEntry<unknown>> = Object.values(RESOURCES) as never;
