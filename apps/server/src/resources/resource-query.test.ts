import {
  ListLogsQuerySchema,
  LogFiltersShape,
  MonitoringAlertFiltersShape,
  SecurityAlertFiltersShape,
  type LogFiltersShape as LogShape,
} from '@1security/contract';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { logEventsTable } from '../logs/logs.repository';
import { fingerprintOf } from '../pagination/cursor-codec';
import { RESOURCE_LIST, RESOURCES } from './registry';
import { filtersOf } from './resource-handlers';
import { defineResourceTable, type FiltersOf } from './resource-query';

// Type-level: the contract's filter shape decides which clauses the server must have. These
// lines fail `pnpm typecheck` if a missing or unknown filter ever compiles. The clauses are the
// logs resource's own.
const _shapeWithNewFilter = { ...LogFiltersShape, country: z.string().optional() };
void defineResourceTable<FiltersOf<typeof _shapeWithNewFilter>>()({
  table: 'log_events',
  sortColumn: 'discovered_at',
  itemColumns: ['id'],
  rawDataColumn: 'raw_data as rawData',
  detailColumns: ['id'],
  // @ts-expect-error -- `country` is in the contract's filters but has no clause: a compile error.
  filters: { ...logEventsTable.filters },
});
void defineResourceTable<FiltersOf<typeof LogShape>>()({
  table: 'log_events',
  sortColumn: 'discovered_at',
  itemColumns: ['id'],
  rawDataColumn: 'raw_data as rawData',
  detailColumns: ['id'],
  filters: {
    ...logEventsTable.filters,
    // @ts-expect-error -- a clause for a filter the contract does not have is an error too.
    country: (value: string, eb) => eb('workload', '=', value),
  },
});

describe('resource filters come from the contract', () => {
  it.each([
    ['logs', LogFiltersShape],
    ['monitoring-alerts', MonitoringAlertFiltersShape],
    ['security-alerts', SecurityAlertFiltersShape],
  ] as const)('%s: the server maps exactly the contract filter keys', (name, shape) => {
    expect(Object.keys(RESOURCES[name].table.filters).sort()).toEqual(Object.keys(shape).sort());
  });

  it.each(RESOURCE_LIST.map((resource) => [resource.name, resource] as const))(
    '%s: the cursor fingerprint covers every filter of a parsed query, and nothing else',
    (_name, resource) => {
      const query = ListLogsQuerySchema.parse({ limit: '10', include: 'rawData' });
      const base = fingerprintOf(filtersOf(resource.table, query));
      for (const key of Object.keys(resource.table.filters)) {
        const filters = filtersOf(resource.table, { ...query, [key]: ['x'] });
        expect(Object.keys(filters)).toEqual(Object.keys(resource.table.filters));
        expect(fingerprintOf(filters), key).not.toBe(base);
      }
    },
  );
});
