import type { z } from 'zod';
import type {
  ListLogsQuerySchema,
  ListMonitoringAlertsQuerySchema,
  ListSecurityAlertsQuerySchema,
  LogChangesQuerySchema,
  MonitoringAlertChangesQuerySchema,
  SecurityAlertChangesQuerySchema,
} from '@1security/contract';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type {
  ListLogsParams,
  ListMonitoringAlertsParams,
  ListSecurityAlertsParams,
  LogChangesParams,
  MonitoringAlertChangesParams,
  SecurityAlertChangesParams,
} from '../src/query-params';
import { toSearchParams, withQuery } from '../src/query-string';
import { CLIENT_VERSION } from '../src/version';

// Compile-time: the client's parameter types name exactly the contract's query parameters.
type SameKeys<A, B> = [keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false;
type Input<S extends z.ZodTypeAny> = z.input<S>;
const parity: Array<true> = [
  true satisfies SameKeys<ListLogsParams, Input<typeof ListLogsQuerySchema>>,
  true satisfies SameKeys<LogChangesParams, Input<typeof LogChangesQuerySchema>>,
  true satisfies SameKeys<ListMonitoringAlertsParams, Input<typeof ListMonitoringAlertsQuerySchema>>,
  true satisfies SameKeys<MonitoringAlertChangesParams, Input<typeof MonitoringAlertChangesQuerySchema>>,
  true satisfies SameKeys<ListSecurityAlertsParams, Input<typeof ListSecurityAlertsQuerySchema>>,
  true satisfies SameKeys<SecurityAlertChangesParams, Input<typeof SecurityAlertChangesQuerySchema>>,
];

describe('query serialisation', () => {
  it('sends lists comma-separated, Dates as ISO, booleans and numbers as text; leaves out empty values', () => {
    const params = toSearchParams({
      severity: ['high', 'critical'],
      workload: 'SharePoint',
      since: new Date('2026-06-05T09:00:00Z'),
      isResolved: false,
      limit: 100,
      cursor: undefined,
      actor: null,
      status: [],
    });
    expect([...params]).toEqual([
      ['severity', 'high,critical'],
      ['workload', 'SharePoint'],
      ['since', '2026-06-05T09:00:00.000Z'],
      ['isResolved', 'false'],
      ['limit', '100'],
    ]);
  });

  it('replaces the query of a URL, keeping commas readable and encoding the rest', () => {
    expect(
      withQuery('http://h/api/v1/logs?severity[0]=x', { severity: ['high', 'critical'], actor: 'a&b@c.com' }),
    ).toBe('http://h/api/v1/logs?severity=high,critical&actor=a%26b%40c.com');
    expect(withQuery('http://h/api/v1/ping', {})).toBe('http://h/api/v1/ping');
  });

  it('matches the contract parameter for parameter, and package.json for the version', () => {
    expect(parity.every(Boolean)).toBe(true);
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(CLIENT_VERSION).toBe(pkg.version);
  });
});
