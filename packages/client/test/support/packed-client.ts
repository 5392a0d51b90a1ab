import { readFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { PACKAGE_DIR } from './paths';

/** The file `pnpm build` writes: `pnpm pack`'s name for this package at its current version. */
export function builtTarballPath(): string {
  const { version } = JSON.parse(readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8')) as { version: string };
  return path.join(PACKAGE_DIR, `1security-client-${version}.tgz`);
}

/** What the build reads: the client's sources and config, and the contract it bundles. */
const BUILD_INPUTS = [
  'src',
  'build',
  'tsup.config.ts',
  'tsconfig.json',
  'package.json',
  'README.md',
  '../contract/src',
  '../contract/package.json',
  '../../tsconfig.base.json',
].map((input) => path.join(PACKAGE_DIR, input));

async function newestChange(file: string): Promise<number> {
  const info = await stat(file);
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(file);
  const times = await Promise.all(entries.map((entry) => newestChange(path.join(file, entry))));
  return Math.max(info.mtimeMs, ...times);
}

/** Whether the tarball is missing, or older than a source it is built from. */
export async function builtTarballIsStale(tarball: string): Promise<boolean> {
  const built = await stat(tarball).catch(() => undefined);
  if (!built) return true;
  const sources = await Promise.all(BUILD_INPUTS.map(newestChange));
  return Math.max(...sources) > built.mtimeMs;
}
