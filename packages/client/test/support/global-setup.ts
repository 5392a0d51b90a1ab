import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { builtTarballIsStale, builtTarballPath } from './packed-client';
import { PACKAGE_DIR } from './paths';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A private copy of the tarball `pnpm build` wrote (packages/client/1security-client-<version>.tgz). */
    packedTarball: string;
    /** That tarball unpacked: the package exactly as it would be published (package.json, README.md, dist/). */
    stagedPackageDir: string;
  }
}

const run = promisify(execFile);

/**
 * The tests use the tarball `pnpm build` writes, the file the README tells customers to
 * install. Under `pnpm test` turbo has just built it; run alone, the package's own build
 * script runs first if the tarball is missing or older than its sources. The tarball is then
 * copied and unpacked into a private staging folder, so a `pnpm build` running meanwhile
 * (it cleans dist/ and replaces the tarball) cannot pull it from under the tests.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const tarball = builtTarballPath();
  if (await builtTarballIsStale(tarball)) {
    const started = Date.now();
    await run('pnpm', ['run', '--silent', 'build'], { cwd: PACKAGE_DIR });
    console.log(`  built and packed @1security/client in ${Date.now() - started} ms`);
  }
  // Inside node_modules/.cache: ignored by git and lint, and the package's own imports
  // (@ts-rest/core, zod) resolve from the package's node_modules.
  const cache = path.join(PACKAGE_DIR, 'node_modules/.cache');
  await mkdir(cache, { recursive: true });
  const staged = await mkdtemp(path.join(cache, 'test-package-'));
  const packedTarball = path.join(staged, path.basename(tarball));
  await copyFile(tarball, packedTarball);
  await run('tar', ['-xzf', packedTarball, '-C', staged]);
  project.provide('packedTarball', packedTarball);
  project.provide('stagedPackageDir', path.join(staged, 'package'));
  return async () => {
    await rm(staged, { recursive: true, force: true });
  };
}
