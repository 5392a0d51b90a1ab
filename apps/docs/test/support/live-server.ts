import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { spawnServerProcess, type ServerProcess } from '@1security/test-kit';
import { REPO_ROOT, SERVER_CLI, SERVER_MAIN, SERVER_TSX } from './paths';

const execFileAsync = promisify(execFile);

/** One request the server logged (its "request completed" access-log line). */
export interface LoggedRequest {
  id: string;
  method: string;
  url: string;
  status: number;
}

export interface LiveServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** `http://127.0.0.1:<port>/api/v1` */
  baseUrl: string;
  /** The embedded database's folder; the CLI reaches the running server's database through it. */
  dataDir: string;
  /** The environment the server and its CLI run with. */
  env: NodeJS.ProcessEnv;
  /** The demo tenant and key printed on first start, when the server printed them. */
  demo: { tenantId: string; secret: string } | undefined;
  /** Runs the operator CLI (`pnpm admin …`) against this server's database; stdout. */
  cli(args: string[]): Promise<string>;
  /** A position in the request log: pass it to {@link requestsSince}. */
  mark(): number;
  /** Every request the server logged since `mark` (waits until the log has caught up). */
  requestsSince(mark: number): Promise<LoggedRequest[]>;
  close(): Promise<void>;
}

/** The variables a test server must not inherit from the machine it runs on. */
const INHERITED_SERVER_ENV = [
  'DATABASE_URL',
  'REDIS_URL',
  'API_KEY_PEPPER',
  'PORT',
  'HOST',
  'DATA_DIR',
  'LOG_LEVEL',
  'DEMO_DATA',
  'TRUST_PROXY',
];

/**
 * Starts the real API server as a child process — `tsx apps/server/src/main.ts`, as
 * `pnpm start` does — on a free port with a fresh embedded database, and follows its JSON
 * request log so tests can see the status of every request a snippet made. Spawned and stopped
 * by the test kit: the shared readiness timeout, and the whole process group (tsx and the
 * server it runs) goes on close.
 */
export async function startLiveServer(): Promise<LiveServer> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'onesec-docs-'));
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of INHERITED_SERVER_ENV) delete env[name];
  Object.assign(env, { PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info', DEMO_DATA: 'true' });

  const requests: LoggedRequest[] = [];
  const waiters = new Set<() => void>();
  const followRequestLog = (line: string) => {
    if (!line.startsWith('{')) return;
    try {
      const entry = JSON.parse(line) as {
        req?: { id?: string; method?: string; url?: string };
        res?: { statusCode?: number };
      };
      if (entry.req && typeof entry.res?.statusCode === 'number') {
        requests.push({
          id: String(entry.req.id),
          method: String(entry.req.method),
          url: String(entry.req.url),
          status: entry.res.statusCode,
        });
        for (const wake of waiters) wake();
      }
    } catch {
      // Not a log entry: only the printed text, which `output()` keeps.
    }
  };

  let child: ServerProcess;
  try {
    child = await spawnServerProcess({
      command: SERVER_TSX,
      args: [SERVER_MAIN],
      cwd: REPO_ROOT,
      env,
      onStdoutLine: followRequestLog,
    });
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const origin = child.url;
  const printed = child.output();
  const demoTenant = /^\s*tenant\s+(\S+)\s*$/m.exec(printed)?.[1];
  const demoSecret = /^\s*secret\s+(1sec_live_\S+)\s*$/m.exec(printed)?.[1];

  let flushes = 0;
  const server: LiveServer = {
    origin,
    baseUrl: `${origin}/api/v1`,
    dataDir,
    env,
    demo: demoTenant && demoSecret ? { tenantId: demoTenant, secret: demoSecret } : undefined,
    async cli(args) {
      const { stdout } = await execFileAsync(SERVER_TSX, [SERVER_CLI, ...args], {
        cwd: REPO_ROOT,
        env,
        maxBuffer: 64 * 1024 * 1024,
      });
      return stdout;
    },
    mark: () => requests.length,
    async requestsSince(mark) {
      // A request of our own, logged after every earlier one: once it shows, the log is complete.
      const flushId = `docs-log-flush-${++flushes}`;
      const seen = () => requests.some((r) => r.id === flushId);
      const arrived = new Promise<void>((resolve) => {
        const check = () => {
          if (seen()) {
            waiters.delete(check);
            resolve();
          }
        };
        waiters.add(check);
      });
      await fetch(`${origin}/healthz`, { headers: { 'X-Request-Id': flushId } });
      await Promise.race([arrived, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      return requests.slice(mark).filter((r) => !r.id.startsWith('docs-log-flush-'));
    },
    async close() {
      await child.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}
