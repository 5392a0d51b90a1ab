import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Vitest global setup: builds `dist/` (the JavaScript `pnpm start` runs) before any test
 * spawns it, so a test never runs a stale build of the source it is checking.
 */
export default function buildServer(): void {
  // Each integration project runs its global setup in this same main process: build once.
  if (process.env.ONESEC_TEST_SERVER_BUILT === '1') return;
  const serverDir = fileURLToPath(new URL('../..', import.meta.url));
  execFileSync(fileURLToPath(new URL('../../node_modules/.bin/tsup', import.meta.url)), ['--silent'], {
    cwd: serverDir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  process.env.ONESEC_TEST_SERVER_BUILT = '1';
}
