import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * How long a server may take to say it listens. A readiness guard, not a timing assertion: an
 * embedded database's cold start takes ~3 s alone but over a minute when CI runs four PGlite
 * test files and the browser tests at once.
 */
export const SERVER_READY_TIMEOUT_MS = 150_000;

export interface SpawnServerOptions {
  /** The server package's folder (apps/server). */
  cwd: string;
  /** Default: the built server, `node dist/main.js`, as `pnpm start` runs it. */
  command?: string;
  args?: string[];
  /** The child's whole environment (nothing is inherited). */
  env: NodeJS.ProcessEnv;
  /** Sees every line the server prints on stdout, from the first (e.g. to follow its request log). */
  onStdoutLine?: (line: string) => void;
}

export interface ServerProcess {
  /** The origin the server printed, e.g. http://127.0.0.1:41234. */
  url: string;
  child: ChildProcess;
  output: () => string;
  /** Signals the server's whole process group and resolves with the server's exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const running = new Set<ChildProcess>();

/**
 * A test file that fails before its `afterAll`, or a worker stopped mid-file, must not leave a
 * server behind: the servers are detached (their own process groups), so nothing else reaches
 * them. Node's `exit` event covers a worker that ends normally; it does not fire when the process
 * is ended by a signal, which is how Vitest stops its fork workers (SIGTERM) and how Ctrl-C
 * arrives (SIGINT), so those are caught too while a server runs.
 */
const ENDING_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

function killEveryServer(): void {
  for (const child of running) signalGroup(child, 'SIGKILL');
}

function onEndingSignal(signal: NodeJS.Signals): void {
  killEveryServer();
  stopWatching();
  // Then do what the signal would have done without us: end the process, unless someone else
  // (a test runner's own handler) listens for it.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function startWatching(): void {
  if (running.size !== 1) return;
  process.on('exit', killEveryServer);
  for (const signal of ENDING_SIGNALS) process.on(signal, onEndingSignal);
}

function stopWatching(): void {
  process.off('exit', killEveryServer);
  for (const signal of ENDING_SIGNALS) process.off(signal, onEndingSignal);
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    // The child leads its own process group (detached): this reaches anything it started too.
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * Starts a server as its own process group on the port it chooses, and waits until it prints
 * `listening on http://…`. If it does not within {@link SERVER_READY_TIMEOUT_MS}, or exits
 * first, its group is killed and the promise rejects with everything it printed.
 */
export async function spawnServerProcess(options: SpawnServerOptions): Promise<ServerProcess> {
  const child = spawn(options.command ?? process.execPath, options.args ?? ['dist/main.js'], {
    cwd: options.cwd,
    env: options.env,
    detached: true,
  });
  running.add(child);
  startWatching();
  const onStdoutLine = options.onStdoutLine;
  if (onStdoutLine && child.stdout) createInterface({ input: child.stdout }).on('line', onStdoutLine);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      if (running.size === 0) stopWatching();
      resolve(code);
    }),
  );
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) signalGroup(child, signal);
    const code = await exited;
    // The server is gone; whatever it started must go with it.
    signalGroup(child, 'SIGKILL');
    return code;
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`server did not start within ${SERVER_READY_TIMEOUT_MS} ms:\n${output}`)),
        SERVER_READY_TIMEOUT_MS,
      );
      const check = () => {
        const match = /listening on (http:\/\/[^/\s]+)/.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      child.stdout?.on('data', check);
      child.once('exit', () => {
        clearTimeout(timer);
        reject(new Error(`server exited during start:\n${output}`));
      });
    });
    return { url, child, output: () => output, stop };
  } catch (err) {
    await stop('SIGKILL');
    throw err;
  }
}
