import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKey, createTenant, hasPostgres, ingest, startApiServer, type ApiServer } from './support/api-server';
import { PACKAGE_DIR } from './support/paths';
import { makeLogRecords, makeMonitoringAlertRecords, makeSecurityAlertRecords } from './support/records';

const run = promisify(execFile);
const FIXTURE_DIR = path.join(PACKAGE_DIR, 'test/fixtures/consumer');

/**
 * What a customer does: `npm pack` the package, install the tarball into a project outside
 * the workspace, compile a TypeScript program against it with tsc, and run it against the
 * live server, as ESM and as CommonJS.
 */
describe.skipIf(!hasPostgres)('the packed tarball, installed outside the workspace', () => {
  let server: ApiServer;
  let scratch: string;
  let env: NodeJS.ProcessEnv;
  let tenantId: string;
  let packedFiles: string[];
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

    // The global setup built and staged the package; pack exactly what would be published.
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', scratch], {
      cwd: inject('stagedPackageDir'),
    });
    const [packed] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    packedFiles = packed!.files.map((f) => f.path).sort();
    const tarball = path.join(scratch, packed!.filename);

    await writeFile(path.join(scratch, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    await run(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', tarball, 'typescript@5.9.3', '@types/node@20'],
      { cwd: scratch, env: { ...process.env, npm_config_workspaces: 'false' } },
    );
    for (const file of ['consumer.mts', 'consumer-cjs.cts', 'tsconfig.json']) await cp(path.join(FIXTURE_DIR, file), path.join(scratch, file));

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

  it('ships the built ESM, CJS and type declarations, with README and nothing else', () => {
    expect(packedFiles).toEqual(
      expect.arrayContaining(['README.md', 'package.json', 'dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts']),
    );
    expect(packedFiles.filter((f) => !f.startsWith('dist/') && !['README.md', 'package.json'].includes(f))).toEqual([]);
  });

  it('installs with only @ts-rest/core and zod as dependencies: the private contract is bundled', async () => {
    const installed = JSON.parse(await readFile(path.join(scratch, 'node_modules/@1security/client/package.json'), 'utf8'));
    expect(Object.keys(installed.dependencies).sort()).toEqual(['@ts-rest/core', 'zod']);
    await expect(readFile(path.join(scratch, 'node_modules/@1security/contract/package.json'))).rejects.toThrow();
    for (const file of ['dist/index.js', 'dist/index.cjs', 'dist/index.d.ts']) {
      const text = await readFile(path.join(scratch, 'node_modules/@1security/client', file), 'utf8');
      expect(text, file).not.toMatch(/@1security\/contract|@anatine|apps\/server/);
    }
  });

  it('compiles a TypeScript consumer with tsc (strict, NodeNext, library types checked too)', async () => {
    const result = await run(path.join(scratch, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], { cwd: scratch }).catch(
      (err: { stdout: string; stderr: string }) => err,
    );
    expect(`${result.stdout}${result.stderr}`).toBe('');
  }, 120_000);

  it('runs the ESM consumer against the server: ping, list with filters, paginate everything, a detail, an error', async () => {
    const { stdout } = await run(process.execPath, ['out/consumer.mjs'], { cwd: scratch, env });
    const out = JSON.parse(stdout);
    expect(out.tenantId).toBe(tenantId);
    const expectedFiltered = logs.filter((l) => ['high', 'critical'].includes(l.severity) && l.workload === 'Exchange');
    expect(out.filtered.sort()).toEqual(expectedFiltered.map((l) => l.id).sort());
    expect(out.severities).toEqual([...new Set(expectedFiltered.map((l) => l.severity))].sort());
    expect(out.everyId).toHaveLength(logs.length);
    expect(out.everyId.sort()).toEqual(logs.map((l) => l.id).sort());
    expect(out.alertPages).toBe(Math.ceil(securityAlerts.length / 4));
    const source = securityAlerts.find((a) => a.id === out.detail.id)!;
    expect(out.detail).toEqual({ id: source.id, rawData: source.rawData, recommendedActions: source.recommendedActions });
    expect(out.notFound).toBe('404 NOT_FOUND with requestId');
  });

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
