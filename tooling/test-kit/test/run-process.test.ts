import { describe, expect, it } from 'vitest';
import { runProcess, startProcess } from '../src/index';
import { alive, gone } from './pids';

const NODE = process.execPath;
const TIMEOUT_MS = 60_000;

/** A node script that starts a grandchild (a long sleep), prints `grandchild <pid>`, then does `then`. */
const withGrandchild = (then: string) =>
  [
    "const { spawn } = require('node:child_process');",
    "const g = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], { stdio: 'ignore' });",
    "console.log('grandchild ' + g.pid);",
    then,
  ].join('\n');

const grandchildOf = (stdout: string) => Number(/grandchild (\d+)/.exec(stdout)?.[1]);

describe('runProcess', () => {
  it(
    'returns the exit code and everything written on stdout and stderr, with the input on stdin',
    async () => {
      const result = await runProcess(
        NODE,
        [
          '-e',
          // 2 MB on stdout, more than a pipe holds: nothing may be lost when the process exits.
          "let input = ''; process.stdin.on('data', (d) => (input += d)).on('end', () => {" +
            " process.stdout.write(input.toUpperCase() + 'x'.repeat(2 ** 21)); process.stderr.write('to stderr'); process.exitCode = 3; });",
        ],
        { input: 'hello' },
      );
      expect(result.code).toBe(3);
      expect(result.signal).toBeNull();
      expect(result.stdout).toBe(`HELLO${'x'.repeat(2 ** 21)}`);
      expect(result.stderr).toBe('to stderr');
    },
    TIMEOUT_MS,
  );

  it(
    'uses the given environment only, and the given directory',
    async () => {
      const result = await runProcess(NODE, ['-e', 'console.log(process.cwd(), process.env.ONLY, process.env.HOME)'], {
        cwd: '/',
        env: { ONLY: 'this' },
      });
      expect(result).toMatchObject({ code: 0, stdout: '/ this undefined\n' });
    },
    TIMEOUT_MS,
  );

  it(
    'kills the whole process group past its timeout and rejects with what the command printed',
    async () => {
      const started = Date.now();
      const error = await runProcess(NODE, ['-e', withGrandchild('setInterval(() => {}, 1 << 30);')], {
        timeoutMs: 1_000,
      }).then(
        () => undefined,
        (err: Error) => err,
      );
      expect(error?.message).toMatch(/did not finish within 1000 ms; its group was killed\.\nstdout:\ngrandchild \d+/);
      expect(Date.now() - started).toBeLessThan(TIMEOUT_MS / 2);
      const grandchild = grandchildOf(error!.message);
      expect(await gone([grandchild])).toEqual([]);
    },
    TIMEOUT_MS,
  );

  it(
    'kills what the command started and left running when it exits',
    async () => {
      const result = await runProcess(NODE, ['-e', withGrandchild('process.exit(0);')]);
      expect(result.code).toBe(0);
      expect(await gone([grandchildOf(result.stdout)])).toEqual([]);
    },
    TIMEOUT_MS,
  );

  it('rejects when the command does not exist', async () => {
    await expect(runProcess('/nonexistent/command', [])).rejects.toThrow(/ENOENT/);
  });
});

describe('startProcess', () => {
  it(
    'signals the whole group while it runs, and says which signal ended it',
    async () => {
      const run = startProcess(NODE, ['-e', withGrandchild('setInterval(() => {}, 1 << 30);')]);
      let grandchild = NaN;
      while (Number.isNaN(grandchild)) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        grandchild = grandchildOf(run.output().stdout);
      }
      expect(alive(run.pid)).toBe(true);
      expect(alive(grandchild)).toBe(true);
      run.signal('SIGTERM');
      const result = await run.exited;
      expect(result).toMatchObject({ code: null, signal: 'SIGTERM' });
      expect(await gone([run.pid, grandchild])).toEqual([]);
    },
    TIMEOUT_MS,
  );
});
