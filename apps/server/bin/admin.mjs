#!/usr/bin/env node
/**
 * The operator CLI's entry point: `pnpm admin …` from the repository root runs this file.
 *
 * The root package depends on the server, so pnpm links this `bin` into the root's
 * `node_modules/.bin`, and `pnpm admin` (there is no root script of that name) executes it
 * the way `pnpm exec` does: no `$ command` echo, no ELIFECYCLE report on a non-zero exit, only
 * the CLI's own output. It runs the TypeScript source in this process (tsx's loader), so it is
 * never stale and needs no build.
 */
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

// Relative file arguments are the caller's: resolve them from where `pnpm admin` was run. As
// this package's `admin` script, pnpm has already moved to the package; INIT_CWD says where from.
process.env.ONESEC_CALLER_CWD ||=
  (process.env.npm_lifecycle_event === 'admin' && process.env.INIT_CWD) || process.cwd();
// Relative settings (DATA_DIR) are the server's: resolve them from the server package, as
// `pnpm start` does, so both find the same embedded database.
process.chdir(fileURLToPath(new URL('..', import.meta.url)));

register();
await import('../src/cli/main.ts');
