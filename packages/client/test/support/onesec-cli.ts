import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { inject } from 'vitest';

export interface OnesecRun {
  child: ChildProcess;
  /** Resolves with the exit status once the process ended. */
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout(): string;
  stderr(): string;
  /** Resolves once stderr matches. */
  waitForStderr(pattern: RegExp): Promise<void>;
}

/** Runs the packed `onesec` (the tarball's dist/cli/onesec.cjs, as `npx` would) with only the given environment. */
export function startOnesec(args: string[], env: Record<string, string | undefined>): OnesecRun {
  const bin = path.join(inject('stagedPackageDir'), 'dist/cli/onesec.cjs');
  const child = spawn(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH, ...env } });
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ pattern: RegExp; resolve: () => void }> = [];
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const w of [...waiters]) if (w.pattern.test(stderr)) w.resolve();
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    exit,
    stdout: () => stdout,
    stderr: () => stderr,
    waitForStderr: (pattern) =>
      new Promise<void>((resolve, reject) => {
        if (pattern.test(stderr)) return resolve();
        waiters.push({ pattern, resolve });
        void exit.then(() =>
          pattern.test(stderr) ? resolve() : reject(new Error(`onesec exited without ${pattern}:\n${stderr}`)),
        );
      }),
  };
}

export async function runOnesec(args: string[], env: Record<string, string | undefined>) {
  const run = startOnesec(args, env);
  const { code, signal } = await run.exit;
  return { code, signal, stdout: run.stdout(), stderr: run.stderr() };
}
