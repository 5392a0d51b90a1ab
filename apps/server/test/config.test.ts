import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config';
import { runScript } from './support/processes';

describe('configuration', () => {
  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://localhost/db'],
    ['REDIS_URL', 'not a url'],
    ['LOG_LEVEL', 'loud'],
    ['API_KEY_PEPPER', 'short'],
  ])('rejects %s=%s naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${name}:`));
  });

  it('applies the documented defaults', () => {
    const config = loadConfig({}, '/srv/app');
    expect(config).toMatchObject({
      port: 4001,
      databaseUrl: undefined,
      dataDir: '/srv/app/.data',
      redisUrl: undefined,
      rateLimitPerMinute: 600,
    });
  });

  it('makes the server exit non-zero with a message naming the variable', async () => {
    const result = await runScript('src/main.ts', [], { PORT: 'eighty', REDIS_URL: 'nope' });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('PORT');
    expect(result.stderr).toContain('REDIS_URL');
  });
});
