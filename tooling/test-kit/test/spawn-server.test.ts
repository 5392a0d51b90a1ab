import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { alive, gone } from './pids';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const KIT_DIR = path.join(HERE, '..');
const TIMEOUT_MS = 60_000;

/**
 * Runs a worker process that spawns a server through the kit and never stops it, ends the
 * worker (`signal`) or lets it exit by itself, and returns how it ended and the pids it left.
 */
async function runWorker(end: NodeJS.Signals | 'exit') {
  // One node process, as a Vitest fork worker is (the tsx command would put a parent in between).
  const worker = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(HERE, 'fixtures/spawning-worker.ts'), end === 'exit' ? 'exit' : 'wait'],
    { cwd: KIT_DIR, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  // Whatever this test finds, it leaves nothing running: not the worker, nor (below) the server's group.
  onTestFinished(() => void worker.kill('SIGKILL'));
  let stdout = '';
  let stderr = '';
  worker.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    worker.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const pids = await new Promise<{ server: number; grandchild: number }>((resolve, reject) => {
    worker.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line) as { server: number; grandchild: number });
    });
    void exited.then(() => reject(new Error(`the worker ended before it printed its pids:\n${stdout}${stderr}`)));
  });
  onTestFinished(() => {
    try {
      process.kill(-pids.server, 'SIGKILL');
    } catch {
      // Gone, as it should be.
    }
  });
  expect(alive(pids.server)).toBe(true);
  expect(alive(pids.grandchild)).toBe(true);
  if (end === 'exit') worker.stdin.end();
  else worker.kill(end);
  return { ...(await exited), pids: [pids.server, pids.grandchild] };
}

describe('spawnServerProcess leaves no server behind when the test process ends without stopping it', () => {
  it.each(['SIGTERM', 'SIGINT', 'SIGHUP'] as const)(
    'ended by %s (Vitest ends fork workers with SIGTERM): the server and its child are killed, and the worker still dies of the signal',
    async (signal) => {
      const ended = await runWorker(signal);
      expect(ended.signal).toBe(signal);
      expect(await gone(ended.pids)).toEqual([]);
    },
    TIMEOUT_MS,
  );

  it(
    'exiting by itself: the server and its child are killed',
    async () => {
      const ended = await runWorker('exit');
      expect(ended.code).toBe(0);
      expect(await gone(ended.pids)).toEqual([]);
    },
    TIMEOUT_MS,
  );
});
