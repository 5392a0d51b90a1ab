import { runProcess, spawnServerProcess, type ProcessResult, type ServerProcess } from '@1security/test-kit';
import { fileURLToPath } from 'node:url';

const SERVER_DIR = fileURLToPath(new URL('../..', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../../../..', import.meta.url));
const TSX = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

/** Only what the child needs: our variables, never the caller's DATABASE_URL by accident. */
function childEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn' };
  return { ...base, ...env };
}

export type { ProcessResult, ServerProcess } from '@1security/test-kit';

/**
 * Runs the built server (`node dist/main.js`) as its own process group, as `pnpm start` does,
 * on an ephemeral port. The integration projects build `dist/` before any test (build-server.ts).
 */
export function spawnServer(env: Record<string, string | undefined>): Promise<ServerProcess> {
  return spawnServerProcess({ cwd: SERVER_DIR, env: childEnv({ PORT: '0', HOST: '127.0.0.1', ...env }) });
}

/** What a CLI run printed, and its exit code. */
export type CliResult = ProcessResult;

/**
 * Runs the operator CLI as an operator does: `pnpm admin …` from the repository root, or from
 * `cwd` (a directory of the repository).
 */
export function runCliProcess(
  args: string[],
  env: Record<string, string | undefined>,
  input?: string,
  { cwd = REPO_ROOT, pnpmArgs = [] }: { cwd?: string; pnpmArgs?: string[] } = {},
): Promise<CliResult> {
  return runProcess('pnpm', [...pnpmArgs, 'admin', ...args], { cwd, env: childEnv(env), input });
}

/** Runs a script of the server package with tsx. */
export function runScript(script: string, args: string[], env: Record<string, string | undefined>): Promise<CliResult> {
  return runProcess(TSX, [script, ...args], { cwd: SERVER_DIR, env: childEnv(env) });
}
