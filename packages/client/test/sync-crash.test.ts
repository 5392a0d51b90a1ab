import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  auditEventIds,
  createKey,
  createTenant,
  feedServes,
  hasPostgres,
  ingest,
  startApiServer,
  type ApiServer,
} from './support/api-server';
import { PACKAGE_DIR } from './support/paths';
import { makeLogRecords } from './support/records';

const WORKER = path.join(PACKAGE_DIR, 'test/fixtures/sync-worker.mjs');
const BATCH_SIZE = 50;

/**
 * sync() in a process that is SIGKILLed mid-run, twice, while new events are being
 * ingested, then restarted from its file checkpoint: every event arrives; only the batch in
 * flight at a kill may arrive twice.
 */
describe.skipIf(!hasPostgres)('sync() killed mid-run and restarted from its file checkpoint', () => {
  let server: ApiServer;
  let tenantId: string;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    server = await startApiServer();
    tenantId = await createTenant(server);
    dir = await mkdtemp(path.join(os.tmpdir(), 'onesec-sync-'));
    env = {
      PATH: process.env.PATH,
      CLIENT_MODULE: pathToFileURL(path.join(inject('stagedPackageDir'), 'dist/index.js')).href,
      ONESEC_API_KEY: await createKey(server, tenantId),
      ONESEC_BASE_URL: server.url,
      CHECKPOINT_FILE: path.join(dir, 'checkpoints.json'),
      OUTPUT_FILE: path.join(dir, 'delivered.txt'),
      BATCH_SIZE: String(BATCH_SIZE),
      HANDLER_DELAY_MS: '40',
    };
  });
  afterAll(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Starts the worker; resolves `batches(n)` once it has reported n handled batches. */
  function startWorker() {
    const child: ChildProcess = spawn(process.execPath, [WORKER], { env });
    let stdout = '';
    let stderr = '';
    const waiters: Array<{ n: number; resolve: () => void }> = [];
    const handled = () => (stdout.match(/^batch \d+$/gm) ?? []).length;
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      for (const w of [...waiters]) if (handled() >= w.n) w.resolve();
    });
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    return {
      child,
      exit,
      output: () => ({ stdout, stderr }),
      handled,
      batches: (n: number) =>
        new Promise<void>((resolve, reject) => {
          if (handled() >= n) return resolve();
          waiters.push({ n, resolve });
          void exit.then(() => reject(new Error(`worker exited after ${handled()} batches:\n${stdout}\n${stderr}`)));
        }),
    };
  }

  async function delivered(): Promise<string[]> {
    const text = await readFile(env.OUTPUT_FILE!, 'utf8').catch(() => '');
    // A kill can land mid-write: a torn last line is not an id, and its batch comes again.
    return text.split('\n').filter((line) => /^[0-9A-Z]{26}$/.test(line));
  }

  it('delivers every event, none skipped, duplicates only from the batches in flight at a kill', async () => {
    const initial = makeLogRecords(1200);
    const late = makeLogRecords(400, 1200);
    await ingest(server, tenantId, 'logs', initial);
    // The key's ApiKeyCreated audit event is in the feed too.
    await feedServes(server, env.ONESEC_API_KEY!, initial.length + 1);

    // Run 1: killed after 12 batches, while more events are being ingested.
    const first = startWorker();
    await first.batches(4);
    const lateIngest = ingest(server, tenantId, 'logs', late);
    await first.batches(12);
    first.child.kill('SIGKILL');
    expect((await first.exit).signal).toBe('SIGKILL');
    const afterFirst = await delivered();
    const checkpoint = JSON.parse(await readFile(env.CHECKPOINT_FILE!, 'utf8'));
    expect(checkpoint.checkpoints.logs.cursor).toMatch(/.+/);

    // Run 2: resumes from the checkpoint (not from the start), killed again.
    const second = startWorker();
    await second.batches(6);
    second.child.kill('SIGKILL');
    await second.exit;
    const afterSecond = await delivered();
    expect(afterSecond.slice(0, afterFirst.length)).toEqual(afterFirst);
    const secondRun = afterSecond.slice(afterFirst.length);
    expect(secondRun.length).toBeGreaterThanOrEqual(6 * BATCH_SIZE);
    // It went on from where the first run's checkpoint was: at most one batch repeated.
    expect(secondRun.filter((id) => afterFirst.includes(id)).length).toBeLessThanOrEqual(BATCH_SIZE);

    // Run 3: to the end.
    await lateIngest;
    await feedServes(server, env.ONESEC_API_KEY!, initial.length + late.length + 1);
    const third = startWorker();
    const { code } = await third.exit;
    expect(code, third.output().stderr).toBe(0);
    expect(third.output().stdout).toMatch(/^done /m);

    const all = await delivered();
    // What was ingested, and the audit event of the key the worker uses.
    const expected = [...[...initial, ...late].map((r) => r.id), ...(await auditEventIds(server, env.ONESEC_API_KEY!))];
    const unique = new Set(all);
    expect([...expected].filter((id) => !unique.has(id))).toEqual([]); // none skipped
    expect(unique.size).toBe(expected.length); // nothing that was not ingested
    const duplicates = all.length - unique.size;
    expect(duplicates).toBeLessThanOrEqual(2 * BATCH_SIZE); // only the in-flight batch of each kill
    console.log(
      `  ${expected.length} events delivered across 3 runs (2 SIGKILLs), ${duplicates} duplicates from in-flight batches`,
    );

    // A fourth run has nothing to do: the checkpoint is at the end of the feed.
    const fourth = startWorker();
    await fourth.exit;
    expect(fourth.output().stdout).toMatch(/^done \{"batches":0,"items":0,/m);
    expect(await delivered()).toHaveLength(all.length);
    // The checkpoint file is whole JSON after every kill; a killed write leaves at most a temp file.
    const leftovers = (await readdir(dir)).filter((f) => f.endsWith('.tmp'));
    expect(leftovers.length).toBeLessThanOrEqual(2);
  });
});
