import { docsDirectory } from '@1security/docs/serve';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/test-database';
import { startTestServer, type TestServer } from './support/test-server';

describe('the server root', () => {
  let database: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startTestServer(database);
  });
  afterAll(async () => {
    await server?.close();
    await database?.close();
  });

  it('redirects to the docs site (or the OpenAPI document when the docs are not built), which answers', async () => {
    // `pnpm start` and `pnpm test` build the docs first; a bare server build does not.
    const target = docsDirectory() ? '/docs/' : '/api/v1/openapi.json';
    for (const path of ['/', '/?from=bookmark']) {
      const res = await fetch(`${server.url}${path}`, { redirect: 'manual' });
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe(target);
    }
    const followed = await fetch(`${server.url}/`);
    expect(followed.status).toBe(200);
    expect(followed.url).toBe(`${server.url}${target}`);
    expect(followed.headers.get('content-type')).toMatch(docsDirectory() ? /^text\/html/ : /^application\/json/);
  });
});
