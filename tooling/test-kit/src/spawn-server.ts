import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { killGroupOnExit, signalGroup } from './process-group';

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
  // Killed with this process, however it ends (the group is detached: nothing else would).
  killGroupOnExit(child);
  const onStdoutLine = options.onStdoutLine;
  if (onStdoutLine && child.stdout) createInterface({ input: child.stdout }).on('line', onStdoutLine);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
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
