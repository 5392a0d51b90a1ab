import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SERVER_DIR = fileURLToPath(new URL('../..', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../../../..', import.meta.url));
const TSX = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

/** Only what the child needs: our variables, never the caller's DATABASE_URL by accident. */
function childEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn' };
  return { ...base, ...env };
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Runs the built server (`node dist/main.js`) as its own process, as `pnpm start` does, on an
 * ephemeral port. The integration projects build `dist/` before any test (build-server.ts).
 */
export async function spawnServer(env: Record<string, string | undefined>): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: SERVER_DIR,
    env: childEnv({ PORT: '0', HOST: '127.0.0.1', ...env }),
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    // A readiness guard, not a timing assertion: an embedded database's cold start takes ~3 s
    // alone but over a minute when CI runs four PGlite test files and the browser tests at once.
    const started = Date.now();
    const timer = setTimeout(
      () => reject(new Error(`server did not start within ${Date.now() - started} ms:\n${output}`)),
      150_000,
    );
    const check = () => {
      const match = /listening on (http:\/\/[^/\s]+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', check);
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`server exited during start:\n${output}`));
    });
  });
  return {
    url,
    child,
    output: () => output,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the operator CLI as an operator does: `pnpm admin …` from the repository root, or from
 * `cwd` (a directory of the repository).
 */
export async function runCliProcess(
  args: string[],
  env: Record<string, string | undefined>,
  input?: string,
  { cwd = REPO_ROOT, pnpmArgs = [] }: { cwd?: string; pnpmArgs?: string[] } = {},
): Promise<CliResult> {
  const child = spawn('pnpm', [...pnpmArgs, 'admin', ...args], { cwd, env: childEnv(env) });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  if (input !== undefined) child.stdin.end(input);
  else child.stdin.end();
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  return { code, stdout, stderr };
}

/** Runs a script of the server package with tsx. */
export async function runScript(
  script: string,
  args: string[],
  env: Record<string, string | undefined>,
): Promise<CliResult> {
  const child = spawn(TSX, [script, ...args], { cwd: SERVER_DIR, env: childEnv(env) });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end();
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  return { code, stdout, stderr };
}
