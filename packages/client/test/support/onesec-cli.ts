import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { createKey, createTenant, ingest, startApiServer, type ApiServer, type ResourceType } from './api-server';

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

/** What an `onesec` test runs against: a server, one tenant with records, and a scratch folder. */
export interface OnesecTarget {
  server: ApiServer;
  tenantId: string;
  /** `ONESEC_API_KEY` (a key of the tenant) and `ONESEC_BASE_URL` (the server). */
  env: Record<string, string>;
  /** A fresh temporary folder for checkpoints, outputs and receivers. */
  dir: string;
  /** Stops the server (dropping its database) and removes the folder. */
  stop(): Promise<void>;
}

/**
 * Starts a server whose one tenant holds `records` (ingested in the order given, as an operator
 * would), and mints the key `onesec` uses. The key's own audit event lands in the tenant's logs.
 */
export async function startOnesecTarget(records: Partial<Record<ResourceType, object[]>>): Promise<OnesecTarget> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'onesec-test-'));
  let server: ApiServer | undefined;
  try {
    server = await startApiServer();
    const tenantId = await createTenant(server);
    for (const [type, items] of Object.entries(records) as Array<[ResourceType, object[]]>) {
      await ingest(server, tenantId, type, items);
    }
    const env = { ONESEC_API_KEY: await createKey(server, tenantId), ONESEC_BASE_URL: server.url };
    const started = server;
    return {
      server,
      tenantId,
      env,
      dir,
      stop: async () => {
        await started.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
