import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { auditEventIds, createKey, createTenant, hasPostgres, ingest, startApiServer, type ApiServer } from './support/api-server';
import { PACKAGE_DIR } from './support/paths';
import { makeLogRecords, makeMonitoringAlertRecords, makeSecurityAlertRecords } from './support/records';

const run = promisify(execFile);
const FIXTURE_DIR = path.join(PACKAGE_DIR, 'test/fixtures/consumer');
const REPO_ROOT = path.resolve(PACKAGE_DIR, '../..');

interface PublishSummary {
  name: string;
  version: string;
  shasum: string;
  files: Array<{ path: string }>;
}

async function filesUnder(dir: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) =>
      entry.isDirectory()
        ? filesUnder(path.join(dir, entry.name), `${prefix}${entry.name}/`)
        : [`${prefix}${entry.name}`],
    ),
  );
  return nested.flat().sort();
}

/**
 * The release dry run: the tarball `pnpm build` wrote is exactly what `pnpm publish` would
 * upload, and it carries the built package and nothing else.
 */
describe('the tarball pnpm build writes (packages/client/1security-client-<version>.tgz)', () => {
  const manifest = JSON.parse(readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8')) as { version: string };
  let packageDir: string;
  let packed: Record<string, unknown>;

  beforeAll(async () => {
    packageDir = inject('stagedPackageDir');
    packed = JSON.parse(await readFile(path.join(packageDir, 'package.json'), 'utf8'));
  });

  it('is what `pnpm publish --dry-run` of the packed package would upload: the built ESM, CJS and types, the onesec command, README, package.json', async () => {
    const { stdout } = await run('pnpm', ['publish', '--dry-run', '--json', '--ignore-scripts', '--no-git-checks'], {
      cwd: packageDir,
    });
    const summary = JSON.parse(stdout) as PublishSummary;
    expect({ name: summary.name, version: summary.version }).toEqual({
      name: '@1security/client',
      version: manifest.version,
    });
    const expected = [
      'README.md',
      'dist/cli/onesec.cjs',
      'dist/index.cjs',
      'dist/index.cjs.map',
      'dist/index.d.cts',
      'dist/index.d.ts',
      'dist/index.js',
      'dist/index.js.map',
      'package.json',
      ...(existsSync(path.join(PACKAGE_DIR, 'LICENSE')) ? ['LICENSE'] : []),
    ].sort();
    expect(summary.files.map((f) => f.path).sort()).toEqual(expected);
    expect(await filesUnder(packageDir)).toEqual(expected);
    const tarball = await readFile(inject('packedTarball'));
    expect(summary.shasum, 'pnpm publish would pack other bytes than the tarball pnpm build wrote').toBe(
      createHash('sha1').update(tarball).digest('hex'),
    );
  }, 120_000);

  it('has a publishable package.json: no workspace: ranges, public access, only @ts-rest/core and zod to install, every entry point present', async () => {
    expect(JSON.stringify(packed)).not.toMatch(/workspace:/);
    expect(packed).toMatchObject({
      name: '@1security/client',
      version: manifest.version,
      publishConfig: { access: 'public' },
    });
    expect(packed).not.toHaveProperty('private');
    expect(Object.keys(packed.dependencies as object).sort()).toEqual(['@ts-rest/core', 'zod']);
    const entryPoints = [
      packed.main,
      packed.module,
      packed.types,
      ...JSON.stringify(packed.exports).match(/\.\/dist\/[^"]+/g)!,
    ];
    for (const entry of entryPoints) expect(existsSync(path.join(packageDir, entry as string)), `${entry}`).toBe(true);
    expect(packed.bin).toEqual({ onesec: './dist/cli/onesec.cjs' });
    const bin = await readFile(path.join(packageDir, 'dist/cli/onesec.cjs'), 'utf8');
    expect(bin.startsWith('#!/usr/bin/env node\n')).toBe(true);
    // commander is bundled into the command, so installing still pulls only @ts-rest/core and zod.
    expect(bin).not.toMatch(/require\(["']commander["']\)/);
  });

  it('leaks nothing of the build machine: source maps name relative sources, no absolute paths, no secrets', async () => {
    for (const file of ['dist/index.js.map', 'dist/index.cjs.map']) {
      const map = JSON.parse(await readFile(path.join(packageDir, file), 'utf8')) as {
        sources: string[];
        sourcesContent?: string[];
      };
      expect(map.sources.length, file).toBeGreaterThan(0);
      for (const source of map.sources) {
        expect(path.isAbsolute(source) || /^[a-z]+:/i.test(source), `${file}: ${source}`).toBe(false);
        const original = path.resolve(PACKAGE_DIR, 'dist', source);
        expect(original.startsWith(path.join(REPO_ROOT, 'packages') + path.sep), `${file}: ${source}`).toBe(true);
        expect(original, `${file}: a test file is bundled`).not.toMatch(/[/\\]test[/\\]/);
      }
    }
    const machinePaths = [REPO_ROOT, os.homedir(), os.tmpdir()].filter((p) => p.length > 1);
    for (const file of await filesUnder(packageDir)) {
      const text = await readFile(path.join(packageDir, file), 'utf8');
      for (const machinePath of machinePaths)
        expect(text.includes(machinePath), `${file} contains ${machinePath}`).toBe(false);
      expect(text, file).not.toMatch(/1sec_live_[A-Za-z0-9_-]{20,}/);
      expect(text, file).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
      expect(text, file).not.toMatch(/\b(postgres(ql)?|redis):\/\/[^\s/:@'"]*:[^\s/@'"]+@/);
    }
  });
});

/**
 * What a customer does: install the tarball into a project outside the workspace, compile a
 * TypeScript program against it with tsc, and run it against the live server, as ESM and as
 * CommonJS.
 */
const manifestVersion = (JSON.parse(readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8')) as { version: string }).version;

describe.skipIf(!hasPostgres)('the packed tarball, installed outside the workspace', () => {
  let server: ApiServer;
  let scratch: string;
  let env: NodeJS.ProcessEnv;
  let tenantId: string;
  const logs = makeLogRecords(60);
  const monitoringAlerts = makeMonitoringAlertRecords(12);
  const securityAlerts = makeSecurityAlertRecords(9);

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'onesec-consumer-'));
    const serverReady = (async () => {
      server = await startApiServer();
      tenantId = await createTenant(server);
      await Promise.all([
        ingest(server, tenantId, 'logs', logs),
        ingest(server, tenantId, 'monitoring-alerts', monitoringAlerts),
        ingest(server, tenantId, 'security-alerts', securityAlerts),
      ]);
      return createKey(server, tenantId);
    })();

    // As the README says: `npm install <the tarball>`, with no registry for our own packages.
    const tarball = path.join(scratch, path.basename(inject('packedTarball')));
    await cp(inject('packedTarball'), tarball);
    await writeFile(
      path.join(scratch, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
    );
    await run(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        '--loglevel=error',
        tarball,
        'typescript@5.9.3',
        '@types/node@20',
      ],
      { cwd: scratch, env: { ...process.env, npm_config_workspaces: 'false' } },
    );
    for (const file of ['consumer.mts', 'consumer-cjs.cts', 'tsconfig.json'])
      await cp(path.join(FIXTURE_DIR, file), path.join(scratch, file));

    env = {
      PATH: process.env.PATH,
      ONESEC_API_KEY: await serverReady,
      ONESEC_BASE_URL: server.url,
      CHECKPOINT_FILE: path.join(scratch, 'checkpoints.json'),
    };
  }, 300_000);
  afterAll(async () => {
    await server?.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('installs with only @ts-rest/core and zod as dependencies: the private contract is bundled', async () => {
    const installed = JSON.parse(
      await readFile(path.join(scratch, 'node_modules/@1security/client/package.json'), 'utf8'),
    );
    expect(Object.keys(installed.dependencies).sort()).toEqual(['@ts-rest/core', 'zod']);
    await expect(readFile(path.join(scratch, 'node_modules/@1security/contract/package.json'))).rejects.toThrow();
    for (const file of ['dist/index.js', 'dist/index.cjs', 'dist/index.d.ts']) {
      const text = await readFile(path.join(scratch, 'node_modules/@1security/client', file), 'utf8');
      expect(text, file).not.toMatch(/@1security\/contract|@anatine|apps\/server/);
    }
  });

  it('reports its own version (the User-Agent carries it) as ESM and as CommonJS', async () => {
    const { version } = JSON.parse(
      await readFile(path.join(scratch, 'node_modules/@1security/client/package.json'), 'utf8'),
    );
    const esm = await run(
      process.execPath,
      ['--input-type=module', '-e', "console.log((await import('@1security/client')).CLIENT_VERSION)"],
      {
        cwd: scratch,
      },
    );
    const cjs = await run(process.execPath, ['-e', "console.log(require('@1security/client').CLIENT_VERSION)"], {
      cwd: scratch,
    });
    expect([esm.stdout.trim(), cjs.stdout.trim()]).toEqual([version, version]);
  });

  it('compiles a TypeScript consumer with tsc (strict, NodeNext, library types checked too)', async () => {
    const result = await run(path.join(scratch, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], {
      cwd: scratch,
    }).catch((err: { stdout: string; stderr: string }) => err);
    expect(`${result.stdout}${result.stderr}`).toBe('');
  }, 120_000);

  it('runs the ESM consumer against the server: ping, list with filters, paginate everything, a detail, an error', async () => {
    const { stdout } = await run(process.execPath, ['out/consumer.mjs'], { cwd: scratch, env });
    const out = JSON.parse(stdout);
    expect(out.tenantId).toBe(tenantId);
    const expectedFiltered = logs.filter((l) => ['high', 'critical'].includes(l.severity) && l.workload === 'Exchange');
    expect(out.filtered.sort()).toEqual(expectedFiltered.map((l) => l.id).sort());
    expect(out.severities).toEqual([...new Set(expectedFiltered.map((l) => l.severity))].sort());
    // Every ingested event, and the audit event of the key the consumer uses.
    const everyId = [...logs.map((l) => l.id), ...(await auditEventIds(server, env.ONESEC_API_KEY!))];
    expect(out.everyId).toHaveLength(everyId.length);
    expect(out.everyId.sort()).toEqual(everyId.sort());
    expect(out.alertPages).toBe(Math.ceil(securityAlerts.length / 4));
    const source = securityAlerts.find((a) => a.id === out.detail.id)!;
    expect(out.detail).toEqual({
      id: source.id,
      rawData: source.rawData,
      recommendedActions: source.recommendedActions,
    });
    expect(out.notFound).toBe('404 NOT_FOUND with requestId');
  });

  it('installs the onesec command: `npx onesec --help` and the bin link work, and it reaches the server', async () => {
    const help = await run('npx', ['--no-install', 'onesec', '--help'], { cwd: scratch, env: { ...process.env, npm_config_workspaces: 'false' } });
    expect(help.stdout).toMatch(/^Usage: onesec \[options\] \[command\]/);
    for (const command of ['ping', 'export', 'sync']) expect(help.stdout).toContain(`  ${command}`);
    expect(help.stdout).toMatch(/ONESEC_API_KEY/);
    // `npx @1security/client …` runs the package's only command.
    const viaPackage = await run('npx', ['--no-install', '@1security/client', '--help'], { cwd: scratch, env: { ...process.env, npm_config_workspaces: 'false' } });
    expect(viaPackage.stdout).toBe(help.stdout);
    const ping = await run(path.join(scratch, 'node_modules/.bin/onesec'), ['ping'], { cwd: scratch, env });
    expect(ping.stdout).toContain(`tenant ${tenantId}`);
    const exported = await run(path.join(scratch, 'node_modules/.bin/onesec'), ['export', 'security-alerts', '--format', 'cef'], { cwd: scratch, env });
    expect(exported.stdout.trim().split('\n')).toHaveLength(securityAlerts.length);
    expect(exported.stdout).toMatch(/^CEF:0\|1Security\|1Security API\|/);
  });

  it('installs globally from the tarball: `onesec --help` from the global bin folder', async () => {
    const prefix = path.join(scratch, 'global');
    await run('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', inject('packedTarball')], {
      cwd: scratch,
      env: { ...process.env, npm_config_workspaces: 'false' },
    });
    const help = await run(path.join(prefix, 'bin/onesec'), ['--help'], { env: { PATH: process.env.PATH } });
    expect(help.stdout).toMatch(/^Usage: onesec/);
    const version = await run(path.join(prefix, 'bin/onesec'), ['--version'], { env: { PATH: process.env.PATH } });
    expect(version.stdout.trim()).toBe(manifestVersion);
  }, 180_000);

  it('runs the CommonJS consumer (require) against the server, with a file checkpoint', async () => {
    const { stdout } = await run(process.execPath, ['out/consumer-cjs.cjs'], { cwd: scratch, env });
    expect(JSON.parse(stdout)).toEqual({
      tenantId,
      synced: monitoringAlerts.length,
      severities: 5,
      apiErrorIsClass: true,
      moduleSystem: 'cjs',
    });
    const checkpoints = JSON.parse(await readFile(env.CHECKPOINT_FILE!, 'utf8'));
    expect(checkpoints.checkpoints['monitoring-alerts'].cursor).toMatch(/.+/);
  });
});
