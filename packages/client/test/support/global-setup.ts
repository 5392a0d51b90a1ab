import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { PACKAGE_DIR } from './paths';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A private copy of the package as it would be published: package.json, README.md, dist/. */
    stagedPackageDir: string;
  }
}

/**
 * Builds the package once for every test file, into a private staging folder rather than
 * dist/: a `pnpm build` running meanwhile (it cleans dist/) cannot pull it from under the
 * tests. The packed tarball and the sync child process use this build.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  // Inside node_modules/.cache: ignored by git and lint, and the build's own imports
  // (@ts-rest/core, zod) resolve from the package's node_modules.
  const cache = path.join(PACKAGE_DIR, 'node_modules/.cache');
  await mkdir(cache, { recursive: true });
  const staged = await mkdtemp(path.join(cache, 'test-build-'));
  await promisify(execFile)('node_modules/.bin/tsup', ['--silent', '--out-dir', path.join(staged, 'dist')], { cwd: PACKAGE_DIR });
  for (const file of ['package.json', 'README.md']) await copyFile(path.join(PACKAGE_DIR, file), path.join(staged, file));
  console.log(`  built @1security/client in ${Date.now() - started} ms`);
  project.provide('stagedPackageDir', staged);
  return async () => {
    await rm(staged, { recursive: true, force: true });
  };
}
