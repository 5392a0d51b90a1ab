import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const DASHBOARD_DIR = fileURLToPath(new URL('../../../dashboard', import.meta.url));
const CONTRACT_SRC = fileURLToPath(new URL('../../../../packages/contract/src', import.meta.url));

function newestFileIn(entry: string): number {
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(entry).map((name) => newestFileIn(path.join(entry, name))));
}

/**
 * The dashboard app (apps/dashboard/dist), built unless it is newer than its sources: the
 * server serves it at /dashboard only when it is there, and a test must never drive a stale build.
 */
function buildDashboard(): void {
  const sources = ['src', 'public', 'index.html', 'vite.config.ts', 'serve.ts'].map((p) => path.join(DASHBOARD_DIR, p));
  let built = 0;
  try {
    built = statSync(path.join(DASHBOARD_DIR, 'dist/index.html')).mtimeMs;
  } catch {
    // not built yet
  }
  if (built >= Math.max(newestFileIn(CONTRACT_SRC), ...sources.map(newestFileIn))) return;
  execFileSync(path.join(DASHBOARD_DIR, 'node_modules/.bin/vite'), ['build', '--logLevel', 'error'], {
    cwd: DASHBOARD_DIR,
    // Vitest sets NODE_ENV=test, which would give React's development build: build what `pnpm build` does.
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/**
 * Vitest global setup: builds `dist/` (the JavaScript `pnpm start` runs), and the dashboard it
 * serves, before any test spawns it, so a test never runs a stale build of the source it is checking.
 */
export default function buildServer(): void {
  // Each integration project runs its global setup in this same main process: build once.
  if (process.env.ONESEC_TEST_SERVER_BUILT === '1') return;
  buildDashboard();
  const serverDir = fileURLToPath(new URL('../..', import.meta.url));
  execFileSync(fileURLToPath(new URL('../../node_modules/.bin/tsup', import.meta.url)), ['--silent'], {
    cwd: serverDir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  process.env.ONESEC_TEST_SERVER_BUILT = '1';
}
