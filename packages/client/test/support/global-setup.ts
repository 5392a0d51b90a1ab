import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { PACKAGE_DIR } from './paths';

/** Builds dist/ once for every test file: the packed tarball and the sync child process use it. */
export default async function setup(): Promise<void> {
  const started = Date.now();
  await promisify(execFile)('node_modules/.bin/tsup', ['--silent'], { cwd: PACKAGE_DIR });
  console.log(`  built @1security/client in ${Date.now() - started} ms`);
}
