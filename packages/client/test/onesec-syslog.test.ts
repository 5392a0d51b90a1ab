import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import parseSyslog from 'nsyslog-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type OneSecurityClient } from '../src';
import { CEF_SEVERITY } from '../src/cli/severity.mapping';
import { SYSLOG_FACILITY, SYSLOG_SEVERITY } from '../src/cli/severity.mapping';
import { formatItem, type FormatName } from '../src/cli/output.format';
import { RESOURCE_NAMES, type ResourceItem, type ResourceName } from '../src/cli/resource.registry';
import { CLIENT_VERSION } from '../src/version';
import { createKey, createTenant, hasPostgres, ingest, startApiServer, type ApiServer } from './support/api-server';
import { runOnesec, startOnesec } from './support/onesec-cli';
import { freePort, makeCertificates, startRsyslog, type Rsyslog, type TestCertificates } from './support/rsyslog';
import { hostileLogRecords } from './support/hostile-records';
import { makeLogRecords, makeMonitoringAlertRecords, makeSecurityAlertRecords } from './support/records';

interface ParsedSyslog {
  type: string;
  version: number;
  prival: number;
  facilityval: number;
  levelval: number;
  host: string;
  appName: string;
  pid: string;
  messageid: string;
  message: string;
  ts: string;
  cef?: Record<string, string>;
}
const parse = parseSyslog as unknown as (line: string, options?: object) => ParsedSyslog;

/**
 * `onesec sync` into a real rsyslogd (Debian's, started here with its own config) over TCP,
 * TLS, TLS with a client certificate and UDP. rsyslog writes each message it received,
 * exactly, to a file; nsyslog-parser reads the file back; every API item must be there once,
 * byte-exact in the chosen format.
 */
describe.skipIf(!hasPostgres)('onesec sync into rsyslog', () => {
  let server: ApiServer;
  let tenantId: string;
  let apiKey: string;
  let client: OneSecurityClient;
  let dir: string;
  let certs: TestCertificates;
  let rsyslog: Rsyslog;
  let ports: { tcp: number; tls: number; mtls: number; udp: number };
  const expectedByResource = new Map<ResourceName, ResourceItem[]>();
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'onesec-rsyslog-'));
    const serverReady = (async () => {
      server = await startApiServer();
      tenantId = await createTenant(server);
      await Promise.all([
        ingest(server, tenantId, 'logs', [...makeLogRecords(240), ...hostileLogRecords()]),
        ingest(server, tenantId, 'monitoring-alerts', makeMonitoringAlertRecords(30)),
        ingest(server, tenantId, 'security-alerts', makeSecurityAlertRecords(25)),
      ]);
      apiKey = await createKey(server, tenantId);
    })();
    certs = await makeCertificates(path.join(dir, 'certs'));
    ports = { tcp: await freePort(), tls: await freePort(), mtls: await freePort(), udp: await freePort() };
    rsyslog = await startRsyslog({
      dir: path.join(dir, 'rsyslog'),
      tcpPort: ports.tcp,
      udpPort: ports.udp,
      tls: { port: ports.tls, clientCertPort: ports.mtls, certs },
    });
    await serverReady;
    env = { ONESEC_API_KEY: apiKey, ONESEC_BASE_URL: server.url };
    client = createClient({ apiKey, baseUrl: server.url });
    // The API's items, as the API serves them: what must arrive.
    for (const resource of RESOURCE_NAMES) {
      const items: ResourceItem[] = [];
      // The three resources' generic paginate() form a union TypeScript cannot call.
      const source = (
        resource === 'logs'
          ? client.logs
          : resource === 'monitoring-alerts'
            ? client.monitoringAlerts
            : client.securityAlerts
      ) as { paginate(params: { limit: number }): AsyncIterable<unknown> };
      for await (const item of source.paginate({ limit: 1000 }))
        items.push({ resource, item } as ResourceItem);
      expectedByResource.set(resource, items);
    }
  }, 240_000);
  afterAll(async () => {
    await rsyslog?.stop();
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** The messages rsyslog wrote from one onesec process (its PROCID). */
  async function messagesOf(pid: number): Promise<ParsedSyslog[]> {
    const lines = await rsyslog.messages();
    return lines.map((line) => parse(line)).filter((m) => m.pid === String(pid));
  }

  function expectEveryItemOnce(
    messages: ParsedSyslog[],
    format: FormatName,
    pid: number,
    resources: readonly ResourceName[] = RESOURCE_NAMES,
  ) {
    const context = { tenantId, version: CLIENT_VERSION };
    const expected = [...expectedByResource].filter(([resource]) => resources.includes(resource));
    const expectedCount = expected.reduce((n, [, items]) => n + items.length, 0);
    expect(messages).toHaveLength(expectedCount);
    const byBody = new Map<string, ParsedSyslog>();
    for (const m of messages) byBody.set(`${m.messageid}\u0000${m.message}`, m);
    for (const [resource, items] of expected) {
      for (const entry of items) {
        const body = formatItem(format, entry, context);
        const message = byBody.get(`${resource}\u0000${body}`);
        expect(message, `${resource} ${entry.item.id} did not arrive byte-exact`).toBeDefined();
        // RFC 5424 header, as nsyslog-parser reads it.
        expect(message).toMatchObject({
          // nsyslog-parser reads the RFC 5424 header either way, and names CEF payloads' type CEF.
          type: format === 'cef' ? 'CEF' : 'RFC5424',
          version: 1,
          appName: 'onesec',
          pid: String(pid),
          messageid: resource,
          facilityval: SYSLOG_FACILITY,
          levelval: SYSLOG_SEVERITY[entry.item.severity],
        });
        const time = entry.resource === 'logs' ? entry.item.occurredAt : entry.item.updatedAt;
        expect(new Date(message!.ts).toISOString()).toBe(time);
        if (format === 'cef') {
          expect(message!.cef).toMatchObject({
            version: 'CEF:0',
            deviceVendor: '1Security',
            deviceProduct: '1Security API',
            deviceVersion: CLIENT_VERSION,
            severity: String(CEF_SEVERITY[entry.item.severity]),
          });
        }
      }
    }
    expect(new Set(messages.map((m) => `${m.messageid}\u0000${m.message}`)).size, 'an item arrived twice').toBe(
      expectedCount,
    );
  }

  async function syncAll(
    output: string,
    format: FormatName,
    extra: string[] = [],
    checkpoint = path.join(dir, `checkpoint-${format}-${Math.random().toString(36).slice(2)}.json`),
    resources: readonly ResourceName[] = RESOURCE_NAMES,
  ) {
    const run = startOnesec(
      [
        'sync',
        resources.join(','),
        '--checkpoint',
        checkpoint,
        '--format',
        format,
        '--output',
        output,
        '--batch-size',
        '100',
        ...extra,
      ],
      env,
    );
    const pid = run.child.pid!;
    const { code } = await run.exit;
    expect(code, run.stderr()).toBe(0);
    return { pid, stderr: run.stderr(), checkpoint };
  }

  it('over TCP, in CEF: every item once, byte-exact, RFC 5424 framing and CEF header fields as nsyslog-parser reads them', async () => {
    const { pid, stderr, checkpoint } = await syncAll(`syslog+tcp://127.0.0.1:${ports.tcp}`, 'cef');
    expectEveryItemOnce(await messagesOf(pid), 'cef', pid);
    expect(stderr).toMatch(/^onesec sync: \d+ events to syslog\+tcp:\/\/127\.0\.0\.1:\d+ .*caught up$/m);
    const saved = JSON.parse(await readFile(checkpoint, 'utf8'));
    expect(Object.keys(saved.checkpoints).sort()).toEqual([...RESOURCE_NAMES].sort());

    // Run again from the checkpoint: nothing new, nothing sent.
    const again = await syncAll(`syslog+tcp://127.0.0.1:${ports.tcp}`, 'cef', [], checkpoint);
    expect(await messagesOf(again.pid)).toHaveLength(0);
  });

  it('over TLS, in ECS, trusting the test CA (--ca)', async () => {
    const { pid } = await syncAll(`syslog+tls://127.0.0.1:${ports.tls}`, 'ecs', ['--ca', certs.ca]);
    expectEveryItemOnce(await messagesOf(pid), 'ecs', pid);
  });

  it('over TLS to a receiver that requires a client certificate (--cert, --key), in NDJSON', async () => {
    const { pid } = await syncAll(`syslog+tls://localhost:${ports.mtls}`, 'ndjson', [
      '--ca',
      certs.ca,
      '--cert',
      certs.clientCert,
      '--key',
      certs.clientKey,
    ]);
    expectEveryItemOnce(await messagesOf(pid), 'ndjson', pid);
  });

  it('over TLS with a CA that did not sign the receiver, or without the client certificate it requires: exit 4 after the retries, nothing checkpointed', async () => {
    for (const [args, why] of [
      [
        ['--output', `syslog+tls://127.0.0.1:${ports.tls}`, '--ca', certs.otherCa],
        /self-signed|unable to verify|certificate/i,
      ],
      [
        ['--output', `syslog+tls://localhost:${ports.mtls}`, '--ca', certs.ca],
        /refused this client \(does it require a client certificate/,
      ],
    ] as const) {
      const checkpoint = path.join(dir, `refused-${Math.random().toString(36).slice(2)}.json`);
      const result = await runOnesec(
        ['sync', 'logs', '--checkpoint', checkpoint, '--output-retries', '1', ...args],
        env,
      );
      expect(result.code, `${args.join(' ')}\n${result.stderr}\n${rsyslog.output().slice(-2000)}`).toBe(4);
      expect(result.stderr).toMatch(/retrying in/);
      expect(result.stderr).toMatch(why);
      await expect(readFile(checkpoint, 'utf8')).rejects.toThrow(/ENOENT/);
    }
  });

  it('over UDP, one datagram per message, with a warning that UDP can drop', async () => {
    // The alerts only: a few dozen datagrams, which a busy CI machine's rsyslog still reads in time.
    const resources: ResourceName[] = ['monitoring-alerts', 'security-alerts'];
    const { pid, stderr } = await syncAll(`syslog+udp://127.0.0.1:${ports.udp}`, 'cef', [], undefined, resources);
    expect(stderr).toMatch(/UDP can drop/);
    const total = resources.reduce((n, r) => n + expectedByResource.get(r)!.length, 0);
    const deadline = Date.now() + 10_000;
    while ((await messagesOf(pid)).length < total && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    expectEveryItemOnce(await messagesOf(pid), 'cef', pid, resources);
  });
});
