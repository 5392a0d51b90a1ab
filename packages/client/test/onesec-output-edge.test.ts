import { spawn } from 'node:child_process';
import { execFile } from 'node:child_process';
import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasPostgres } from './support/api-server';
import { runOnesec, startOnesec, startOnesecTarget, type OnesecTarget } from './support/onesec-cli';
import { makeLogRecords, makeSecurityAlertRecords } from './support/records';

const runFile = promisify(execFile);

/** Ends a child that must end on its own, at the latest after `ms` (a hang fails the test, not the suite). */
async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: still running after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const cursorOf = async (checkpoint: string, key: string) =>
  (JSON.parse(await readFile(checkpoint, 'utf8')) as { checkpoints: Record<string, { cursor: string }> }).checkpoints[
    key
  ]?.cursor;

describe.skipIf(!hasPostgres)('onesec outputs that are not plain files, and one sync per checkpoint', () => {
  let target: OnesecTarget;
  let env: Record<string, string>;
  let dir: string;

  beforeAll(async () => {
    target = await startOnesecTarget({ 'security-alerts': makeSecurityAlertRecords(7), logs: makeLogRecords(300) });
    ({ env, dir } = target);
  }, 120_000);
  afterAll(async () => {
    await target?.stop();
  });

  it('--output /dev/null: completes without retries and saves the checkpoint', async () => {
    const checkpoint = path.join(dir, 'null.json');
    const result = await runOnesec(
      ['sync', 'security-alerts', '--checkpoint', checkpoint, '--output', '/dev/null', '--batch-size', '3'],
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/retrying|EINVAL/);
    expect(await cursorOf(checkpoint, 'security-alerts')).toMatch(/.+/);
    // The lock is released at the end.
    await expect(stat(`${checkpoint}.lock`)).rejects.toThrow(/ENOENT/);
  });

  it('--output FIFO with a reader: the reader gets every event, over several batches, and the checkpoint is saved', async () => {
    const fifo = path.join(dir, 'alerts.fifo');
    await runFile('mkfifo', [fifo]);
    const reader = spawn('cat', [fifo]);
    let received = '';
    reader.stdout.on('data', (d: Buffer) => (received += d.toString()));
    const readerExit = new Promise<number | null>((r) => reader.once('exit', (code) => r(code)));
    const checkpoint = path.join(dir, 'fifo.json');
    const run = startOnesec(
      ['sync', 'security-alerts', '--checkpoint', checkpoint, '--output', fifo, '--batch-size', '2'],
      env,
    );
    try {
      const { code } = await within(60_000, 'onesec to a FIFO', run.exit);
      expect(code, run.stderr()).toBe(0);
      // Our end closes at exit; cat then sees end of file.
      expect(await within(15_000, 'cat on the FIFO', readerExit)).toBe(0);
    } finally {
      // A hung run must not outlive the test.
      run.child.kill('SIGKILL');
      reader.kill('SIGKILL');
    }
    const ids = received
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { id: string }).id);
    expect(ids).toHaveLength(7);
    expect(new Set(ids).size).toBe(7);
    expect(run.stderr()).not.toMatch(/retrying/);
    expect(await cursorOf(checkpoint, 'security-alerts')).toMatch(/.+/);
  });

  it('--output FIFO nobody reads: retries without hanging, and SIGTERM ends it promptly without advancing the checkpoint', async () => {
    const fifo = path.join(dir, 'orphan.fifo');
    await runFile('mkfifo', [fifo]);
    const checkpoint = path.join(dir, 'orphan.json');
    const run = startOnesec(['sync', 'security-alerts', '--checkpoint', checkpoint, '--output', fifo], env);
    try {
      await within(30_000, 'the first retry', run.waitForStderr(/no process is reading the FIFO .*retrying/));
      run.child.kill('SIGTERM');
      const { code, signal } = await within(15_000, 'onesec after SIGTERM', run.exit);
      expect({ code, signal }, run.stderr()).toEqual({ code: 0, signal: null });
    } finally {
      run.child.kill('SIGKILL');
    }
    await expect(readFile(checkpoint, 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('permanent output errors exit 4 at once naming the path: a directory (export), a missing folder (sync)', async () => {
    const folder = path.join(dir, 'a-directory');
    await mkdir(folder);
    const exported = await runOnesec(['export', 'logs', '--output', folder], env);
    expect(exported.code, exported.stderr).toBe(4);
    expect(exported.stderr).toContain(`cannot write ${JSON.stringify(folder)}: it is a directory (EISDIR)`);
    expect(exported.stderr).not.toMatch(/retrying/);

    const missing = path.join(dir, 'no-such-folder', 'deep', 'out.ndjson');
    const checkpoint = path.join(dir, 'missing.json');
    const synced = await runOnesec(['sync', 'logs', '--checkpoint', checkpoint, '--output', missing], env);
    expect(synced.code, synced.stderr).toBe(4);
    expect(synced.stderr).toContain(`cannot write ${JSON.stringify(missing)}: its folder does not exist`);
    expect(synced.stderr).toMatch(/ENOENT\); not retried, the checkpoint stays before this batch/);
    expect(synced.stderr).not.toMatch(/retrying/);
    await expect(readFile(checkpoint, 'utf8')).rejects.toThrow(/ENOENT/);
    await expect(stat(path.join(dir, 'no-such-folder'))).rejects.toThrow(/ENOENT/);
  });

  it('a second sync on a checkpoint in use exits 7 naming the holder; after the holder is SIGKILLed, a new sync takes the stale lock', async () => {
    const checkpoint = path.join(dir, 'shared.json');
    const out = path.join(dir, 'shared.ndjson');
    const args = ['sync', 'logs', '--checkpoint', checkpoint, '--output', out];
    const first = startOnesec([...args, '--follow', '--interval', '60s', '--batch-size', '50'], env);
    try {
      for (let i = 0; i < 300 && !(await cursorOf(checkpoint, 'logs').catch(() => undefined)); i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const second = await runOnesec(args, env);
      expect(second.code, second.stderr).toBe(7);
      expect(second.stderr).toContain(`checkpoint ${checkpoint} is in use by process ${first.child.pid}`);
    } finally {
      first.child.kill('SIGKILL');
      await first.exit;
    }
    expect((await readFile(`${checkpoint}.lock`, 'utf8')).trim()).toBe(String(first.child.pid));
    const third = await runOnesec(args, env);
    expect(third.code, third.stderr).toBe(0);
    await expect(stat(`${checkpoint}.lock`)).rejects.toThrow(/ENOENT/);
    // One process at a time: every log once, except at most the batch in flight at the kill.
    const ids = (await readFile(out, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { id: string }).id);
    expect(ids.length - new Set(ids).size).toBeLessThanOrEqual(50);
  });
});
