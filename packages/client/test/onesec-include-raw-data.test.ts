import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasPostgres } from './support/api-server';
import { runOnesec, startOnesecTarget, type OnesecTarget } from './support/onesec-cli';
import { makeLogRecords, makeSecurityAlertRecords } from './support/records';

const lines = (stdout: string) =>
  stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

function partition<T>(items: T[], test: (item: T) => boolean): [T[], T[]] {
  return [items.filter(test), items.filter((item) => !test(item))];
}

/**
 * `--include rawData` through the packed `onesec` against a real server: the provider records
 * come back as ingested, in NDJSON as the item's field, in ECS as `event.original`, and not in
 * CEF.
 */
describe.skipIf(!hasPostgres)('onesec --include rawData', () => {
  let target: OnesecTarget;
  // Every other log record carries a rawData; every security alert does.
  const logs = makeLogRecords(6);
  const alerts = makeSecurityAlertRecords(3);
  const rawDataOfLog = new Map(logs.map((r) => [r.id, 'rawData' in r ? r.rawData : null]));
  const rawDataOfAlert = new Map(alerts.map((r) => [r.id, r.rawData]));
  const exportLogs = (...extra: string[]) =>
    runOnesec(['export', 'logs', '--since', '2026-06-01T00:00:00Z', ...extra], target.env);

  beforeAll(async () => {
    target = await startOnesecTarget({ logs, 'security-alerts': alerts });
  }, 120_000);
  afterAll(async () => {
    await target?.stop();
  });

  it('NDJSON: every item carries rawData as ingested (null where there was none); without the flag, none does', async () => {
    const withRaw = await exportLogs('--include', 'rawData');
    expect(withRaw.code, withRaw.stderr).toBe(0);
    // Minting the key wrote its own audit event into the tenant's logs: that one is ours too.
    const [items, audit] = partition(lines(withRaw.stdout), (i) => rawDataOfLog.has(i.id as string));
    expect(audit.map((i) => i.workload)).toEqual(['1Security']);
    expect(items.map((i) => i.id)).toEqual(logs.map((r) => r.id));
    for (const item of items) expect(item.rawData, String(item.id)).toEqual(rawDataOfLog.get(item.id as string));
    expect(items.filter((i) => i.rawData !== null)).toHaveLength(3);

    const without = await exportLogs();
    expect(without.code, without.stderr).toBe(0);
    expect(lines(without.stdout).filter((i) => 'rawData' in i)).toEqual([]);
  });

  it('ECS: rawData is event.original, JSON text, on the items that have one', async () => {
    const result = await exportLogs('--include', 'rawData', '--format', 'ecs');
    expect(result.code, result.stderr).toBe(0);
    const [documents] = partition(lines(result.stdout) as Array<{ event: { id: string; original?: string } }>, (d) =>
      rawDataOfLog.has(d.event.id),
    );
    expect(documents).toHaveLength(logs.length);
    for (const { event } of documents) {
      const raw = rawDataOfLog.get(event.id);
      if (raw === null) expect(event.original, event.id).toBeUndefined();
      else expect(JSON.parse(event.original!), event.id).toEqual(raw);
    }
    const plain = await exportLogs('--format', 'ecs');
    expect(lines(plain.stdout).filter((d) => 'original' in (d.event as object))).toEqual([]);
  });

  it('CEF: rawData is left out, the lines are the same with or without it', async () => {
    const withRaw = await exportLogs('--include', 'rawData', '--format', 'cef');
    const without = await exportLogs('--format', 'cef');
    expect(withRaw.code, withRaw.stderr).toBe(0);
    expect(withRaw.stdout.split('\n').filter(Boolean)).toHaveLength(logs.length + 1); // + the key's audit event
    expect(withRaw.stdout).toBe(without.stdout);
  });

  it('sync passes it to the changes feed', async () => {
    const checkpoint = path.join(target.dir, 'checkpoint.json');
    const args = ['sync', 'security-alerts', '--checkpoint', checkpoint, '--include', 'rawData', '--format', 'ecs'];
    const result = await runOnesec(args, target.env);
    expect(result.code, result.stderr).toBe(0);
    const documents = lines(result.stdout) as Array<{ event: { id: string; original?: string } }>;
    expect(documents.map((d) => d.event.id).sort()).toEqual([...rawDataOfAlert.keys()].sort());
    for (const { event } of documents) expect(JSON.parse(event.original!)).toEqual(rawDataOfAlert.get(event.id));
  });

  it('a field the API cannot include is a usage error naming it', async () => {
    for (const command of [
      ['export', 'logs', '--include', 'secrets'],
      ['sync', 'logs', '--checkpoint', path.join(target.dir, 'never.json'), '--include', 'secrets'],
    ]) {
      const result = await runOnesec(command, target.env);
      expect(result.code, command.join(' ')).toBe(2);
      expect(result.stderr).toContain('--include "secrets"');
      expect(result.stdout).toBe('');
    }
  });
});
