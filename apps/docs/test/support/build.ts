import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { DIST_DIR, DOCS_ROOT } from './paths';

const SOURCES = ['guides', 'assets', 'src'].map((dir) => path.join(DOCS_ROOT, dir));
const LOCK = path.join(DOCS_ROOT, '.build.lock');

function newestSource(): number {
  return Math.max(...SOURCES.flatMap((dir) => readdirSync(dir).map((file) => statSync(path.join(dir, file)).mtimeMs)));
}

function fresh(): boolean {
  try {
    return statSync(path.join(DIST_DIR, 'index.html')).mtimeMs >= newestSource();
  } catch {
    return false;
  }
}

/**
 * Builds `dist/` unless it is newer than every guide, asset and build source — so a test run
 * never checks the site as it was before the last edit. One build at a time: the test files
 * run in parallel processes, and a build starts by deleting `dist/`.
 */
export function ensureFreshBuild(): void {
  if (fresh()) return;
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`${LOCK} has been held for 3 minutes: remove it if no build is running`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
    }
  }
  try {
    if (!fresh()) execFileSync(path.join(DOCS_ROOT, 'node_modules/.bin/tsx'), ['src/build-site.ts'], { cwd: DOCS_ROOT, stdio: 'inherit' });
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}
