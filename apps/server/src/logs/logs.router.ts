import { contract, type LogEvent } from '@1security/contract';
import { initServer } from '@ts-rest/express';
import type { Db } from '../db/database';
import { errors } from '../http/api-error';
import { requireAuth } from '../http/route-helpers';
import { changesPage } from '../pagination/changes-feed';
import { fingerprintOf, type CursorCodec } from '../pagination/cursor-codec';
import { keysetPage } from '../pagination/keyset';
import { findLogEvent, findLogEventChanges, findLogEvents, type LogEventItemRow, type LogFilters } from './logs.repository';

export function toLogEvent(row: LogEventItemRow): LogEvent {
  return {
    id: row.id,
    occurredAt: row.occurred_at.toISOString(),
    discoveredAt: row.discovered_at.toISOString(),
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

function filtersOf(query: LogFilters): LogFilters {
  const { severity, action, workload, actorType, resourceType, actor } = query;
  return { severity, action, workload, actorType, resourceType, actor };
}

const s = initServer();

export function logsRouter(deps: { db: Db; cursors: CursorCodec }) {
  return s.router(contract.logs, {
    listLogs: async ({ req, query }) => {
      const { tenantId } = requireAuth(req);
      if (query.since && query.until && query.since >= query.until) {
        throw errors.validation([{ parameter: 'until', message: 'must be later than since' }]);
      }
      const filters = filtersOf(query);
      const window = { since: query.since, until: query.until, order: query.order };
      const page = await keysetPage({
        codec: deps.cursors,
        tenantId,
        fingerprint: fingerprintOf({ resource: 'logs', ...filters, ...window }),
        request: query,
        sortKeyOf: (row: LogEventItemRow) => row.discovered_at,
        fetch: (after, take) => findLogEvents(deps.db, tenantId, filters, window, after, take),
        toItem: toLogEvent,
      });
      return { status: 200, body: page };
    },
    listLogChanges: async ({ req, query }) => {
      const { tenantId } = requireAuth(req);
      const filters = filtersOf(query);
      const page = await changesPage({
        db: deps.db,
        codec: deps.cursors,
        tenantId,
        fingerprint: fingerprintOf({ resource: 'logs/changes', ...filters }),
        request: query,
        fetch: (after, xmin, from, take) => findLogEventChanges(deps.db, tenantId, filters, after, xmin, from, take),
        toItem: (row) => toLogEvent(row),
      });
      return { status: 200, body: page };
    },
    getLog: async ({ req, params }) => {
      const { tenantId } = requireAuth(req);
      const row = await findLogEvent(deps.db, tenantId, params.id);
      if (!row) throw errors.notFound('No audit event with this id.');
      return { status: 200, body: { data: toLogEvent(row) } };
    },
  });
}
