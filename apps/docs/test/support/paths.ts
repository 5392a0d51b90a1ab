import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** `apps/docs`. */
export const DOCS_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The repository root. */
export const REPO_ROOT = path.resolve(DOCS_ROOT, '../..');
export const GUIDES_DIR = path.join(DOCS_ROOT, 'guides');
export const DIST_DIR = path.join(DOCS_ROOT, 'dist');
export const SCREENSHOTS_DIR = path.join(DOCS_ROOT, 'screenshots');
/** Where the snippet tests write and run each guide's snippets (git-ignored). */
export const SNIPPETS_DIR = path.join(DOCS_ROOT, '.snippets');
/** The server from source through its own tsx (`pnpm start` runs the same code built: apps/server/dist). */
export const SERVER_TSX = path.join(REPO_ROOT, 'apps/server/node_modules/.bin/tsx');
export const SERVER_MAIN = path.join(REPO_ROOT, 'apps/server/src/main.ts');
export const SERVER_CLI = path.join(REPO_ROOT, 'apps/server/src/cli/main.ts');

export const inCi = process.env.CI === 'true' || process.env.CI === '1';
