import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_DIR } from './support/paths';

const run = promisify(execFile);
const REPO_ROOT = path.resolve(PACKAGE_DIR, '../..');
const CHANGESET = path.join(REPO_ROOT, 'node_modules/.bin/changeset');
const CONTRACT = 'packages/contract';
const CLIENT = 'packages/client';

interface Manifest {
  name: string;
  version: string;
  devDependencies?: Record<string, string>;
}

async function workspacePackageDirs(): Promise<string[]> {
  const dirs: string[] = [];
  for (const parent of ['apps', 'packages']) {
    for (const entry of await readdir(path.join(REPO_ROOT, parent), { withFileTypes: true })) {
      if (entry.isDirectory() && existsSync(path.join(REPO_ROOT, parent, entry.name, 'package.json')))
        dirs.push(`${parent}/${entry.name}`);
    }
  }
  return dirs.sort();
}

const readManifest = async (root: string, dir: string): Promise<Manifest> =>
  JSON.parse(await readFile(path.join(root, dir, 'package.json'), 'utf8')) as Manifest;

/** The changesets waiting for the next release: every Markdown file of .changeset/ but its README. */
async function pendingChangesets(root: string): Promise<string[]> {
  return (await readdir(path.join(root, '.changeset')))
    .filter((file) => file.endsWith('.md') && file !== 'README.md')
    .sort();
}

/** A changeset's front matter (package name → bump type) and its summary. */
async function readChangeset(root: string, file: string): Promise<{ bumps: Record<string, string>; summary: string }> {
  const [, frontMatter, ...summary] = (await readFile(path.join(root, '.changeset', file), 'utf8')).split('---');
  const bumps = [...frontMatter!.matchAll(/^\s*['"]?([^'":\s]+)['"]?\s*:\s*(\w+)\s*$/gm)].map((m) => [m[1]!, m[2]!]);
  return { bumps: Object.fromEntries(bumps), summary: summary.join('---').trim() };
}

const flat = (text: string) => text.replace(/\s+/g, ' ').trim();

/** The entries a changelog lists under `version`, whitespace folded. */
async function changelogSection(root: string, dir: string, version: string): Promise<string> {
  const changelog = await readFile(path.join(root, dir, 'CHANGELOG.md'), 'utf8');
  expect(changelog, `${dir}/CHANGELOG.md`).toContain(`## ${version}\n`);
  return flat(changelog.split(`## ${version}\n`)[1]!.split(/\n## /)[0]!);
}

/**
 * A scratch copy of what `changeset version` reads and writes: the workspace manifests and
 * .changeset/, with the workspace's node_modules (the changelog generator, prettier).
 */
async function scratchWorkspace(packageDirs: string[]): Promise<string> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'onesec-release-'));
  for (const file of [
    'package.json',
    'pnpm-workspace.yaml',
    '.prettierrc.json',
    '.changeset',
    ...packageDirs.map((d) => `${d}/package.json`),
  ]) {
    await mkdir(path.dirname(path.join(scratch, file)), { recursive: true });
    await cp(path.join(REPO_ROOT, file), path.join(scratch, file), { recursive: true });
  }
  await symlink(path.join(REPO_ROOT, 'node_modules'), path.join(scratch, 'node_modules'), 'dir');
  return scratch;
}

const changesetVersion = (cwd: string) => run(CHANGESET, ['version'], { cwd, env: { ...process.env, CI: 'true' } });

/**
 * The versioning step of RELEASING.md, run for real on scratch copies of the workspace:
 * `changeset version` turns changesets into one new version of the contract and the client,
 * with changelogs, and leaves the private apps alone.
 */
describe('changeset version (the release process, on a scratch copy of the workspace)', () => {
  let packageDirs: string[];
  const scratches: string[] = [];
  const scratch = async () => {
    const dir = await scratchWorkspace(packageDirs);
    scratches.push(dir);
    return dir;
  };

  beforeAll(async () => {
    packageDirs = await workspacePackageDirs();
  });
  afterAll(async () => {
    await Promise.all(scratches.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('every pending changeset names the client (its changelog is the one customers read), and no private app', async () => {
    for (const file of await pendingChangesets(REPO_ROOT)) {
      const names = Object.keys((await readChangeset(REPO_ROOT, file)).bumps);
      expect(names, file).toContain('@1security/client');
      for (const name of names) expect(['@1security/contract', '@1security/client'], file).toContain(name);
    }
  });

  it('a contract-only patch releases the client too, at the same version: the client bundles the contract', async () => {
    const root = await scratch();
    for (const file of await pendingChangesets(root)) await rm(path.join(root, '.changeset', file));
    const fix = 'A contract-only fix, written by the release test.';
    await writeFile(
      path.join(root, '.changeset/contract-fix.md'),
      `---\n'@1security/contract': patch\n---\n\n${fix}\n`,
    );
    const before = await readManifest(root, CLIENT);

    await changesetVersion(root);

    const [major, minor, patch] = before.version.split('.').map(Number);
    const next = `${major}.${minor}.${patch! + 1}`;
    expect([(await readManifest(root, CONTRACT)).version, (await readManifest(root, CLIENT)).version]).toEqual([
      next,
      next,
    ]);
    expect(await changelogSection(root, CONTRACT, next)).toContain(fix);
    await changelogSection(root, CLIENT, next);
    expect(await pendingChangesets(root)).toEqual([]);
  });

  it('the pending changesets become the next version, each in the changelog of every package it names', async () => {
    const root = await scratch();
    const pending = await pendingChangesets(root);
    const changesets = await Promise.all(pending.map((file) => readChangeset(root, file)));
    const before = new Map(
      await Promise.all(packageDirs.map(async (dir) => [dir, await readManifest(root, dir)] as const)),
    );

    await changesetVersion(root);

    const version = (await readManifest(root, CLIENT)).version;
    expect((await readManifest(root, CONTRACT)).version).toBe(version);
    expect(version === before.get(CLIENT)!.version, 'a new version exactly when changesets are pending').toBe(
      pending.length === 0,
    );
    for (const [i, { bumps, summary }] of changesets.entries()) {
      for (const name of Object.keys(bumps)) {
        const dir = name === '@1security/client' ? CLIENT : CONTRACT;
        expect(await changelogSection(root, dir, version), `${pending[i]} → ${dir}/CHANGELOG.md`).toContain(
          flat(summary),
        );
      }
    }
    expect(await pendingChangesets(root)).toEqual([]);
    // The apps are private and never released: untouched, and they keep their workspace: ranges.
    for (const dir of packageDirs.filter((d) => ![CONTRACT, CLIENT].includes(d))) {
      expect(await readManifest(root, dir), dir).toEqual(before.get(dir));
      expect(existsSync(path.join(root, dir, 'CHANGELOG.md')), dir).toBe(false);
    }
    expect((await readManifest(root, CLIENT)).devDependencies?.['@1security/contract']).toBe('workspace:*');
  });
});
