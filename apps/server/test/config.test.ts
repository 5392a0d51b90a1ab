import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config';
import { runScript, spawnServer } from './support/processes';

/** Whether something accepts TCP connections at host:port. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

describe('configuration', () => {
  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://localhost/db'],
    ['REDIS_URL', 'not a url'],
    ['LOG_LEVEL', 'loud'],
    ['API_KEY_PEPPER', 'short'],
    ['RATE_LIMIT_WINDOW_SECONDS', '0'],
    ['RATE_LIMIT_WINDOW_SECONDS', '61'],
    ['METRICS_PORT', '65536'],
    ['METRICS_TOKEN', 'short'],
    ['METRICS_TOKEN', 'has a space in the middle'],
  ])('rejects %s=%s naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${name}:`));
  });

  it('reads DATABASE_REPLICA_URL as a comma-separated list, and refuses it without DATABASE_URL', () => {
    const primary = 'postgres://app@db-primary:5432/app';
    expect(
      loadConfig({
        DATABASE_URL: primary,
        DATABASE_REPLICA_URL: 'postgres://app@db-r1:5432/app, postgresql://app@db-r2/app',
        REPLICA_MAX_LAG_MS: '250',
      }).replicas,
    ).toMatchObject({ urls: ['postgres://app@db-r1:5432/app', 'postgresql://app@db-r2/app'], maxLagMs: 250 });
    expect(loadConfig({ DATABASE_URL: primary }).replicas).toMatchObject({ urls: [], maxLagMs: 5000 });
    expect(() =>
      loadConfig({ DATABASE_URL: primary, DATABASE_REPLICA_URL: 'postgres://r1/app,mysql://r2/app' }),
    ).toThrow(/DATABASE_REPLICA_URL\.1: must use the postgres:\/\/ scheme/);
    expect(() => loadConfig({ DATABASE_URL: primary, REPLICA_MAX_LAG_MS: 'soon' })).toThrow(/REPLICA_MAX_LAG_MS:/);
    // The embedded database has no replicas: said at once, not ignored.
    expect(() => loadConfig({ DATABASE_REPLICA_URL: 'postgres://r1/app' })).toThrow(
      /DATABASE_REPLICA_URL: needs DATABASE_URL/,
    );
  });

  it('applies the documented defaults', () => {
    const config = loadConfig({}, '/srv/app');
    expect(config).toMatchObject({
      port: 4001,
      databaseUrl: undefined,
      dataDir: '/srv/app/.data',
      redisUrl: undefined,
      rateLimitPerMinute: 600,
      rateLimitWindowSeconds: 60,
      metrics: { port: undefined, token: undefined },
    });
  });

  it('refuses a metrics port that is the API port', () => {
    expect(() => loadConfig({ PORT: '9000', METRICS_PORT: '9000' })).toThrow(/METRICS_PORT: must differ from PORT/);
    expect(loadConfig({ PORT: '9000', METRICS_PORT: '9464' }).metrics.port).toBe(9464);
  });

  it('makes the server exit non-zero with a message naming the variable', async () => {
    const result = await runScript('src/main.ts', [], { PORT: 'eighty', REDIS_URL: 'nope' });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('PORT');
    expect(result.stderr).toContain('REDIS_URL');
  });

  it('listens on loopback by default on the embedded database, on every interface with DATABASE_URL', () => {
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig({ DATABASE_URL: 'postgres://app@db.internal:5432/app' }).host).toBe('0.0.0.0');
    expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(loadConfig({ HOST: '10.0.0.5', DATABASE_URL: 'postgres://app@db.internal:5432/app' }).host).toBe('10.0.0.5');
  });

  it('binds what its banner says', async () => {
    // Reached through this machine's own network address, a server bound to loopback refuses.
    const lan = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    expect(lan, 'this test needs a non-loopback IPv4 interface').toBeDefined();
    const dataDir = mkdtempSync(path.join(tmpdir(), '1sec-host-'));
    try {
      const local = await spawnServer({ DATA_DIR: dataDir, DEMO_DATA: 'false', HOST: undefined });
      try {
        const port = Number(new URL(local.url).port);
        expect(local.output()).toContain(
          `1Security API listening on http://127.0.0.1:${port}/api/v1 (database: pglite)\n`,
        );
        expect(await accepts('127.0.0.1', port)).toBe(true);
        expect(await accepts(lan!, port)).toBe(false);
      } finally {
        await local.stop();
      }

      const everywhere = await spawnServer({ DATA_DIR: dataDir, DEMO_DATA: 'false', HOST: '0.0.0.0' });
      try {
        const port = Number(new URL(everywhere.url).port);
        expect(everywhere.output()).toContain(
          `1Security API listening on http://0.0.0.0:${port}/api/v1 (every interface; database: pglite)\n` +
            `  from this machine: http://127.0.0.1:${port}/api/v1\n`,
        );
        expect(await accepts(lan!, port)).toBe(true);
      } finally {
        await everywhere.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
