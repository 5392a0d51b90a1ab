import { contract } from '@1security/contract';
import { initServer } from '@ts-rest/express';
import { resourceHandlers, type ResourceRouterDeps } from '../resources/resource-handlers';
import { logEventsTable } from './logs.repository';

const s = initServer();

export function logsRouter(deps: ResourceRouterDeps) {
  const handlers = resourceHandlers(deps, {
    name: 'logs',
    table: logEventsTable,
    sortKeyOf: (item) => item.discoveredAt,
    notFoundMessage: 'No audit event with this id.',
  });
  return s.router(contract.logs, {
    listLogs: handlers.list,
    listLogChanges: handlers.changes,
    getLog: handlers.get,
  });
}
