#!/usr/bin/env node
/**
 * The operator CLI's entry point: `pnpm admin …` from the repository root runs this file.
 *
 * The root package depends on the server, so pnpm links this `bin` into the root's
 * `node_modules/.bin`, and `pnpm admin` (there is no root script of that name) executes it
 * the way `pnpm exec` does: no `$ command` echo, no ELIFECYCLE report on a non-zero exit, only
 * the CLI's own output.
 *
 * It runs the built CLI (`dist/cli.js`, written by `pnpm build`) when that build is newer than
 * every source file it was built from (tsup's metafile lists them), and otherwise the
 * TypeScript source in this process (tsx's loader): never stale, no build needed. The built
 * one starts faster and uses ~100 MB less memory (no loader thread, no compiler), which is
 * what a long `ingest` pays for the whole run.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Relative file arguments are the caller's: resolve them from where `pnpm admin` was run. As
// this package's `admin` script, pnpm has already moved to the package; INIT_CWD says where from.
process.env.ONESEC_CALLER_CWD ||=
  (process.env.npm_lifecycle_event === 'admin' && process.env.INIT_CWD) || process.cwd();
// Relative settings (DATA_DIR) are the server's: resolve them from the server package, as
// `pnpm start` does, so both find the same embedded database.
const serverDir = fileURLToPath(new URL('..', import.meta.url));
process.chdir(serverDir);

/** Whether dist/cli.js was built after the last change to any file it was built from. */
function builtCliIsCurrent() {
  try {
    const builtAt = statSync(path.join(serverDir, 'dist/cli.js')).mtimeMs;
    const { inputs } = JSON.parse(readFileSync(path.join(serverDir, 'dist/metafile-esm.json'), 'utf8'));
    // A changed, moved or deleted input (statSync throws) means the source is newer.
    return Object.keys(inputs).every((input) => statSync(path.resolve(serverDir, input)).mtimeMs <= builtAt);
  } catch {
    return false;
  }
}

if (process.env.ONESEC_ADMIN_FROM_SOURCE !== '1' && builtCliIsCurrent()) {
  await import('../dist/cli.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
