import { contract, type LogEvent } from '@1security/contract';
import { initServer } from '@ts-rest/express';
import type { Db } from '../db/database';
import type { CursorCodec } from '../pagination/cursor-codec';
import { resourceHandlers } from '../pagination/resource-handlers';
import { findLogEvent, findLogEventChanges, findLogEvents, type LogFilters } from './logs.repository';

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
    sortKeyOf: (item: LogEvent) => item.discoveredAt,
    list: findLogEvents,
    changes: findLogEventChanges,
    get: findLogEvent,
    notFoundMessage: 'No audit event with this id.',
  });
  return s.router(contract.logs, {
    listLogs: handlers.list,
    listLogChanges: handlers.changes,
    getLog: handlers.get,
  });
}
