import { contract, type LogEvent } from '@1security/contract';
import { initServer } from '@ts-rest/express';
import type { Db } from '../db/database';
import type { CursorCodec } from '../pagination/cursor-codec';
import { resourceHandlers } from '../pagination/resource-handlers';
import {
  findLogEvent,
  findLogEventChanges,
  findLogEvents,
  type LogEventItemRow,
  type LogFilters,
} from './logs.repository';

export function toLogEvent(row: LogEventItemRow): LogEvent {
  return {
    id: row.id,
    occurredAt: row.occurred_at,
    discoveredAt: row.discovered_at,
    action: row.action,
    severity: row.severity,
    actorName: row.actor_name,
    actorType: row.actor_type,
    actorIp: row.actor_ip,
    resourceName: row.resource_name,
    resourceType: row.resource_type,
    workload: row.workload,
    applicationDisplayName: row.application_display_name,
  };
}

const s = initServer();

export function logsRouter(deps: { db: Db; cursors: CursorCodec }) {
  const handlers = resourceHandlers(deps, {
    name: 'logs',
    filtersOf: ({ severity, action, workload, actorType, resourceType, actor }: LogFilters): LogFilters => ({
      severity,
      action,
      workload,
      actorType,
      resourceType,
      actor,
    }),
    sortKeyOf: (row: LogEventItemRow) => row.discovered_at,
    list: findLogEvents,
    changes: findLogEventChanges,
    get: findLogEvent,
    toItem: toLogEvent,
    toDetail: toLogEvent,
    notFoundMessage: 'No audit event with this id.',
  });
  return s.router(contract.logs, {
    listLogs: handlers.list,
    listLogChanges: handlers.changes,
    getLog: handlers.get,
  });
}
