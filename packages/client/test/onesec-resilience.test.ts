import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { auditEventIds, createKey, createTenant, hasPostgres, ingest, startApiServer, type ApiServer } from './support/api-server';
import { runOnesec, startOnesec } from './support/onesec-cli';
import { makeLogRecords, makeSecurityAlertRecords } from './support/records';
import { freePort, startRsyslog, type Rsyslog } from './support/rsyslog';

const runFile = promisify(execFile);

/** The ids in NDJSON syslog messages; `null` for a message that is not a whole item (torn by a kill). */
function idOf(rawMessage: string): string | null {
  const body = rawMessage.replace(/^<\d+>1 \S+ \S+ onesec \d+ \S+ - /, '');
  try {
    return (JSON.parse(body) as { id: string }).id;
  } catch {
    return null;
  }
}
const pidOf = (rawMessage: string) => /^<\d+>1 \S+ \S+ onesec (\d+) /.exec(rawMessage)?.[1];

describe.skipIf(!hasPostgres)('onesec sync under failure', () => {
  let server: ApiServer;
  let tenantId: string;
  let env: Record<string, string>;
  let dir: string;
  const logs = makeLogRecords(600);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'onesec-resilience-'));
    server = await startApiServer();
    tenantId = await createTenant(server);
    await ingest(server, tenantId, 'logs', logs);
    await ingest(server, tenantId, 'security-alerts', makeSecurityAlertRecords(5));
    env = { ONESEC_API_KEY: await createKey(server, tenantId), ONESEC_BASE_URL: server.url };
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('SIGKILLed at random moments (22 kills) while the server ingests: every event arrives; duplicates only from the batch in flight at each kill; the checkpoint is never corrupt', async () => {
    const BATCH = 40;
    const receiverDir = path.join(dir, 'kill');
    const rsyslog = await startRsyslog({ dir: receiverDir, tcpPort: await freePort() });
    const checkpoint = path.join(dir, 'kill-checkpoint.json');
    const args = [
      'sync',
      'logs',
      '--checkpoint',
      checkpoint,
      '--output',
      `syslog+tcp://127.0.0.1:${rsyslog.tcpPort}`,
      '--batch-size',
      String(BATCH),
    ];
    // Ingestion goes on during the kills: 8 more chunks of 150 events.
    const more = Array.from({ length: 8 }, (_, i) => makeLogRecords(150, 10_000 + i * 150));
    const ingesting = (async () => {
      for (const chunk of more) await ingest(server, tenantId, 'logs', chunk);
    })();
    const runs: number[] = [];
    try {
      for (let kill = 0; kill < 22; kill++) {
        const run = startOnesec([...args, '--follow', '--interval', '200ms'], env);
        runs.push(run.child.pid!);
        await new Promise((r) => setTimeout(r, 150 + Math.random() * 600));
        run.child.kill('SIGKILL');
        const { signal } = await run.exit;
        expect(signal, run.stderr()).toBe('SIGKILL');
        const text = await readFile(checkpoint, 'utf8').catch(() => null);
        if (text !== null) {
          const saved = JSON.parse(text) as { version: number; checkpoints: Record<string, { cursor: string }> };
          expect(saved.version).toBe(1);
          expect(saved.checkpoints['logs']?.cursor).toMatch(/.+/);
        }
      }
      await ingesting;
      // The final catch-up, left to finish.
      const final = startOnesec(args, env);
      runs.push(final.child.pid!);
      expect((await final.exit).code, final.stderr()).toBe(0);
      await rsyslog.stop();

      const messages = await rsyslog.messages();
      // Every ingested log, and the tenant's own audit events (minting a key writes one).
      const audit = await auditEventIds(server, env.ONESEC_API_KEY!);
      const expectedIds = [...[...logs, ...more.flat()].map((l) => l.id), ...audit];
      const seen = new Set<string>();
      let duplicates = 0;
      for (const [index, pid] of runs.entries()) {
        const own = messages.filter((m) => pidOf(m) === String(pid));
        const ids = own.map(idOf);
        // A kill can cut the frame being written: only a killed run's very last message may be torn.
        const torn = ids.flatMap((id, i) => (id === null ? [i] : []));
        const killed = index < runs.length - 1;
        expect(
          torn.every((i) => killed && i === ids.length - 1),
          `torn messages of run ${index}`,
        ).toBe(true);
        const whole = ids.filter((id): id is string => id !== null);
        expect(new Set(whole).size, `run ${index} sent an item twice`).toBe(whole.length);
        // What a run repeats is the batch its predecessor had in flight: at most one batch, at its start.
        const repeated = whole.map((id) => seen.has(id));
        const repeatCount = repeated.filter(Boolean).length;
        expect(repeatCount, `run ${index} repeated ${repeatCount} items`).toBeLessThanOrEqual(BATCH);
        expect(repeated.slice(0, repeatCount).every(Boolean), `run ${index} repeated items after new ones`).toBe(true);
        duplicates += repeatCount;
        for (const id of whole) seen.add(id);
      }
      expect([...seen].sort()).toEqual(expectedIds.sort());
      console.log(
        `  kill test: ${expectedIds.length} events, ${runs.length - 1} kills, ${duplicates} repeated deliveries`,
      );
    } finally {
      await rsyslog.stop();
    }
  }, 240_000);

  it('output unreachable (rsyslog stopped): retries with backoff, the checkpoint stays put, nothing lost once rsyslog is back', async () => {
    const port = await freePort();
    const receiverDir = path.join(dir, 'down');
    const checkpoint = path.join(dir, 'down-checkpoint.json');
    const output = `syslog+tcp://127.0.0.1:${port}`;

    // Exit 4 once the retries run out, the checkpoint never written.
    const giveUp = await runOnesec(
      ['sync', 'logs', '--checkpoint', checkpoint, '--output', output, '--output-retries', '2'],
      env,
    );
    expect(giveUp.code, giveUp.stderr).toBe(4);
    expect(giveUp.stderr.match(/retrying in \d+\.\d s/g)).toHaveLength(2);
    expect(giveUp.stderr).toMatch(
      /output syslog\+tcp:\/\/127\.0\.0\.1:\d+ failed 3 times .*ECONNREFUSED.*checkpoint stays before this batch/,
    );
    await expect(readFile(checkpoint, 'utf8')).rejects.toThrow(/ENOENT/);

    // With the default retries it waits; rsyslog comes back; everything arrives once.
    const run = startOnesec(
      ['sync', 'logs', '--checkpoint', checkpoint, '--output', output, '--batch-size', '200'],
      env,
    );
    await run.waitForStderr(/retrying in[\s\S]*retrying in/);
    await expect(readFile(checkpoint, 'utf8')).rejects.toThrow(/ENOENT/);
    const rsyslog: Rsyslog = await startRsyslog({ dir: receiverDir, tcpPort: port });
    try {
      expect((await run.exit).code, run.stderr()).toBe(0);
      const ids = (await rsyslog.messages()).map(idOf);
      const total = (await readFile(checkpoint, 'utf8')) && ids.length;
      expect(ids.every((id) => id !== null)).toBe(true);
      expect(new Set(ids).size).toBe(total);
      expect(ids.length).toBeGreaterThanOrEqual(logs.length);
      for (const log of logs) expect(ids).toContain(log.id);
    } finally {
      await rsyslog.stop();
    }
  }, 120_000);

  it('SIGTERM while following: saves, prints the summary, exits 0; a rerun finds nothing new', async () => {
    const file = path.join(dir, 'term.ndjson');
    const checkpoint = path.join(dir, 'term-checkpoint.json');
    const run = startOnesec(
      ['sync', 'security-alerts', '--checkpoint', checkpoint, '--output', file, '--follow', '--interval', '60s'],
      env,
    );
    for (let i = 0; i < 100 && !(await readFile(checkpoint, 'utf8').catch(() => '')).includes('security-alerts'); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    run.child.kill('SIGTERM');
    const { code } = await run.exit;
    expect(code, run.stderr()).toBe(0);
    expect(run.stderr()).toMatch(/SIGTERM: stopping after the batch in hand/);
    expect(run.stderr()).toMatch(/^onesec sync: 5 events to .*term\.ndjson .*stopped by SIGTERM, checkpoint saved$/m);
    expect((await readFile(file, 'utf8')).trim().split('\n')).toHaveLength(5);
    const rerun = await runOnesec(['sync', 'security-alerts', '--checkpoint', checkpoint, '--output', file], env);
    expect(rerun.code).toBe(0);
    expect((await readFile(file, 'utf8')).trim().split('\n')).toHaveLength(5);
  });

  it('progress on stderr when it is a terminal (under script(1)), quiet otherwise', async () => {
    const bin = path.join(inject('stagedPackageDir'), 'dist/cli/onesec.cjs');
    const args = (name: string) => [
      'sync',
      'security-alerts',
      '--checkpoint',
      path.join(dir, `${name}.json`),
      '--output',
      path.join(dir, `${name}.ndjson`),
    ];
    const quoted = [process.execPath, bin, ...args('tty')].map((a) => `'${a}'`).join(' ');
    const { stdout } = await runFile('script', ['-qec', `${quoted} >/dev/null`, '/dev/null'], {
      env: { PATH: process.env.PATH, ...env },
    });
    expect(stdout).toContain('\x1b[2Ksecurity-alerts 5 (caught up) · ');
    expect(stdout).toMatch(/events\/s/);
    const piped = await runOnesec(args('pipe'), env);
    expect(piped.code).toBe(0);
    expect(piped.stderr).not.toContain('\x1b');
    expect(piped.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('SIGTERM while a batch is being delivered: that batch is finished and saved, no further batch is sent, exit 0', async () => {
    // A receiver that takes its time to confirm: it closes its side 800 ms after ours.
    const connections: string[] = [];
    let onFirstData: () => void = () => undefined;
    const firstData = new Promise<void>((resolve) => (onFirstData = resolve));
    const receiver = net.createServer({ allowHalfOpen: true }, (socket) => {
      let received = '';
      socket.on('data', (d: Buffer) => {
        received += d.toString();
        onFirstData();
      });
      socket.on('end', () => {
        connections.push(received);
        setTimeout(() => socket.end(), 800);
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const { port } = receiver.address() as net.AddressInfo;
    const checkpoint = path.join(dir, 'term-batch.json');
    try {
      const run = startOnesec(
        [
          'sync',
          'logs',
          '--checkpoint',
          checkpoint,
          '--output',
          `syslog+tcp://127.0.0.1:${port}`,
          '--batch-size',
          '100',
          '--follow',
        ],
        env,
      );
      await firstData;
      run.child.kill('SIGTERM');
      const { code } = await run.exit;
      expect(code, run.stderr()).toBe(0);
      expect(run.stderr()).toMatch(/^onesec sync: 100 events .*stopped by SIGTERM, checkpoint saved$/m);
      expect(connections).toHaveLength(1);
      expect(connections[0]!.match(/ onesec \d+ logs - /g)).toHaveLength(100);
      // The saved checkpoint is after exactly that batch: the next run starts with the 101st event.
      const next = await runOnesec(
        [
          'sync',
          'logs',
          '--checkpoint',
          checkpoint,
          '--output',
          path.join(dir, 'term-batch.ndjson'),
          '--batch-size',
          '100',
        ],
        env,
      );
      expect(next.code).toBe(0);
      const rest = (await readFile(path.join(dir, 'term-batch.ndjson'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { id: string }).id);
      const sent = [...connections[0]!.matchAll(/"id":"([0-9A-Z]{26})"/g)].map((m) => m[1]!);
      expect(sent).toHaveLength(100);
      expect(rest.filter((id) => sent.includes(id))).toEqual([]);
      expect(rest.length).toBeGreaterThanOrEqual(logs.length - 100);
    } finally {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });

  it('a bad key: exit 3, and the message does not contain the key', async () => {
    const badKey = '1sec_live_ThisKeyDoesNotExistAnywhere0123456789';
    const result = await runOnesec(['sync', 'logs', '--checkpoint', path.join(dir, 'bad.json')], {
      ...env,
      ONESEC_API_KEY: badKey,
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/401 UNAUTHENTICATED/);
    expect(result.stderr + result.stdout).not.toContain(badKey);
    expect(result.stderr + result.stdout).not.toContain('ThisKeyDoesNotExist');
    const ping = await runOnesec(['ping'], { ...env, ONESEC_API_KEY: badKey });
    expect(ping.code).toBe(3);
    expect(ping.stderr + ping.stdout).not.toContain('ThisKeyDoesNotExist');
  });

  it('a key without the scope: exit 3 naming the scope; ping prints the tenant and scopes', async () => {
    const logsOnly = await createKey(server, tenantId, { scopes: ['logs:read'] });
    const result = await runOnesec(['sync', 'logs,security-alerts', '--checkpoint', path.join(dir, 'scope.json')], {
      ...env,
      ONESEC_API_KEY: logsOnly,
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/lacks security-alerts:read/);
    const ping = await runOnesec(['ping'], { ...env, ONESEC_API_KEY: logsOnly });
    expect(ping.code).toBe(0);
    expect(ping.stdout).toContain(`tenant ${tenantId}`);
    expect(ping.stdout).toContain('scopes logs:read');
  });

  it('usage errors: exit 2 naming the bad value; no key: exit 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['sync', 'logz', '--checkpoint', 'x.json'], /unknown resource "logz"/],
      [['sync', 'logs'], /needs --checkpoint FILE/],
      [
        ['sync', 'logs', '--checkpoint', 'x.json', '--severity', 'urgent'],
        /--severity "urgent": unknown value "urgent"/,
      ],
      [['sync', 'logs', '--checkpoint', 'x.json', '--status', 'new'], /--status is not a filter of logs/],
      [['sync', 'logs', '--checkpoint', 'x.json', '--format', 'xml'], /xml/],
      [['sync', 'logs', '--checkpoint', 'x.json', '--output', 'syslog+tcp://host'], /HOST:PORT/],
      [['sync', 'logs', '--checkpoint', 'x.json', '--output', 'http://x'], /not a known output/],
      [['sync', 'logs', '--checkpoint', 'x.json', '--batch-size', '5000'], /--batch-size "5000"/],
      [['sync', 'logs', '--checkpoint', 'x.json', '--interval', 'soon'], /--interval "soon"/],
      [['sync', 'logs', '--checkpoint', 'x.json', '--from', 'yesterday'], /--from "yesterday"/],
      [['sync', 'logs', '--checkpoint', 'x.json', '--ca', 'ca.pem'], /--ca only applies to --output syslog\+tls/],
      [['export', 'logs', '--output', 'syslog+tcp://127.0.0.1:514'], /export writes to stdout or a file/],
      [['frobnicate'], /unknown command/],
    ];
    for (const [args, message] of cases) {
      const result = await runOnesec(args, env);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(message);
    }
    const noKey = await runOnesec(['ping'], { ONESEC_BASE_URL: server.url });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/ONESEC_API_KEY is not set/);
  });

  it('a checkpoint file that is not one: exit 6 before anything is sent; the API unreachable: exit 5 after the retries', async () => {
    const corrupt = path.join(dir, 'corrupt.json');
    await writeFile(corrupt, '{"version":1,"checkpoints":{"logs":');
    const output = path.join(dir, 'corrupt.ndjson');
    const result = await runOnesec(['sync', 'logs', '--checkpoint', corrupt, '--output', output], env);
    expect(result.code).toBe(6);
    expect(result.stderr).toMatch(/is not valid JSON; fix or remove it/);
    await expect(readFile(output, 'utf8')).rejects.toThrow(/ENOENT/);
    expect(await readFile(corrupt, 'utf8')).toBe('{"version":1,"checkpoints":{"logs":');

    const closed = await freePort();
    const down = await runOnesec(['sync', 'logs', '--checkpoint', path.join(dir, 'down-api.json')], {
      ...env,
      ONESEC_BASE_URL: `http://127.0.0.1:${closed}`,
    });
    expect(down.code, down.stderr).toBe(5);
    expect(down.stderr).toMatch(/API network-error; retrying in/);
    expect(down.stderr).toMatch(/ECONNREFUSED \(4 attempts\)/);
  });

  it('export writes a window of one resource, oldest first, with filters, to a new file', async () => {
    const file = path.join(dir, 'export.ndjson');
    const alerts = makeSecurityAlertRecords(5);
    const result = await runOnesec(
      [
        'export',
        'security-alerts',
        '--severity',
        'low,medium,high,critical',
        '--since',
        alerts[2]!.updatedAt,
        '--format',
        'ndjson',
        '--output',
        file,
      ],
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    const items = (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { resource: string; title: string; updatedAt: string });
    expect(items.every((i) => i.resource === 'security-alerts')).toBe(true);
    // Alerts 2, 3, 4 are in the window; alert 0 is informational anyway.
    expect(items.map((i) => i.title)).toEqual(alerts.slice(2).map((a) => a.title));
    expect(result.stderr).toMatch(/^onesec export: 3 events to .*export\.ndjson/m);
  });
});
