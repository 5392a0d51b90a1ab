import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_ACTOR } from '../src/audit/audit-events';
import { insertLogEvents } from '../src/logs/logs.repository';
import { createTenant } from '../src/tenants/tenants.repository';
import type { Resolver, WebhookNetworkPolicy } from '../src/webhooks/webhook-address';
import {
  createWebhookEndpoint,
  listWebhookDeliveries,
  WebhookValidationError,
} from '../src/webhooks/webhook-endpoints.service';
import { WebhookWorker } from '../src/webhooks/webhook-worker';
import { makeLogEvent } from './support/factories';
import { ENGINE, createTestDatabase, silentLogger, type TestDatabase } from './support/test-database';
import { WebhookReceiver, waitFor } from './support/webhook-receiver';

/** Names resolve as the test says: one public name, and names that point inside the network. */
const resolve: Resolver = async (hostname) => {
  const answers: Record<string, string[]> = {
    'hooks.example.com': ['93.184.216.34'],
    'internal.example.test': ['10.1.2.3'],
    'mixed.example.test': ['93.184.216.34', '192.168.1.20'],
    'loopback.example.test': ['127.0.0.1'],
  };
  const found = answers[hostname];
  if (!found) throw Object.assign(new Error(`no such host ${hostname}`), { code: 'ENOTFOUND' });
  return found;
};

const STRICT: WebhookNetworkPolicy = { allowHttp: false, allowPrivateNetworks: false, resolve };

let database: TestDatabase;
let tenantId: string;
beforeAll(async () => {
  database = await createTestDatabase();
  tenantId = (await createTenant(database.db, 'SSRF')).id;
});
afterAll(async () => {
  await database?.close();
});

async function refusal(url: string, network: WebhookNetworkPolicy = STRICT): Promise<WebhookValidationError> {
  try {
    await createWebhookEndpoint(database.db, { tenantId, url, resources: 'logs', actor: CLI_ACTOR }, { network });
  } catch (err) {
    if (err instanceof WebhookValidationError) return err;
    throw err;
  }
  throw new Error(`${url} was accepted`);
}

describe(`webhook URLs are checked against server-side request forgery (${ENGINE})`, () => {
  it.each([
    ['https://127.0.0.1/hook', /address 127\.0\.0\.1, which is not a public address \(loopback\)/],
    ['https://[::1]/hook', /address ::1, which is not a public address \(loopback\)/],
    ['https://10.20.30.40/hook', /not a public address \(private\)/],
    ['https://169.254.169.254/latest/meta-data/', /not a public address \(linkLocal\)/],
    ['https://[::ffff:127.0.0.1]/hook', /not a public address \(loopback\)/],
    ['https://[::ffff:a9fe:a9fe]/hook', /not a public address \(linkLocal\)/],
    ['https://100.64.0.1/hook', /carrierGradeNat/],
    ['https://[fd00::1]/hook', /uniqueLocal/],
    ['https://0.0.0.0/hook', /unspecified/],
    [
      'https://internal.example.test/hook',
      /host internal\.example\.test resolves to 10\.1\.2\.3, which is not a public address \(private\)/,
    ],
    ['https://mixed.example.test/hook', /resolves to 192\.168\.1\.20/],
    ['https://nowhere.example.test/hook', /could not be resolved \(ENOTFOUND\)/],
    [
      'http://hooks.example.com/hook',
      /must use https:\/\/ \(http:\/\/ is accepted only with WEBHOOK_ALLOW_HTTP=true\)/,
    ],
    ['ftp://hooks.example.com/hook', /must use https:\/\//],
    ['not a url', /must be an absolute URL/],
  ])('%s is refused at creation with a clear message', async (url, message) => {
    const err = await refusal(url);
    expect(err.problems).toEqual([{ parameter: 'url', message: expect.stringMatching(message) }]);
  });

  it('a public https URL is accepted; http:// only with WEBHOOK_ALLOW_HTTP', async () => {
    const created = await createWebhookEndpoint(
      database.db,
      { tenantId, url: 'https://hooks.example.com/hook', resources: 'logs', actor: CLI_ACTOR },
      { network: STRICT },
    );
    expect(created.endpoint.url).toBe('https://hooks.example.com/hook');
    const http = await createWebhookEndpoint(
      database.db,
      { tenantId, url: 'http://hooks.example.com/hook', resources: 'logs', actor: CLI_ACTOR },
      { network: { ...STRICT, allowHttp: true } },
    );
    expect(http.endpoint.url).toBe('http://hooks.example.com/hook');
    await database.db.deleteFrom('webhook_endpoints').where('tenant_id', '=', tenantId).execute();
  });

  it('at delivery, an address that is not public is never connected to (a listener records every connection)', async () => {
    const listener = await WebhookReceiver.start();
    const port = new URL(listener.url).port;
    // Created while private networks were allowed (or before a DNS answer changed): delivery
    // checks again, with the switches off.
    const urls = [
      `http://127.0.0.1:${port}/hook`,
      `http://[::ffff:127.0.0.1]:${port}/hook`,
      `http://[::1]:${port}/hook`,
      `http://10.20.30.40:${port}/hook`,
      `http://169.254.169.254:${port}/hook`,
      `http://loopback.example.test:${port}/hook`,
    ];
    const ids: string[] = [];
    for (const url of urls) {
      const { endpoint } = await createWebhookEndpoint(
        database.db,
        { tenantId, url, resources: 'logs', actor: CLI_ACTOR },
        { network: { allowHttp: true, allowPrivateNetworks: true, resolve } },
      );
      ids.push(endpoint.id);
    }
    // A name that resolved to a public address at creation and to loopback at delivery (rebinding).
    let rebound = false;
    const rebinding: Resolver = async (hostname) =>
      hostname === 'rebind.example.test' ? [rebound ? '127.0.0.1' : '93.184.216.34'] : resolve(hostname);
    const { endpoint: rebind } = await createWebhookEndpoint(
      database.db,
      { tenantId, url: `http://rebind.example.test:${port}/hook`, resources: 'logs', actor: CLI_ACTOR },
      { network: { allowHttp: true, allowPrivateNetworks: false, resolve: rebinding } },
    );
    ids.push(rebind.id);
    rebound = true;

    const worker = new WebhookWorker(database.db, {
      workers: 2,
      network: { allowHttp: true, allowPrivateNetworks: false, resolve: rebinding },
      timeoutMs: 1_000,
      timeScale: 0.0001,
      logger: silentLogger,
      pollIntervalMs: 50,
    });
    worker.start();
    try {
      await insertLogEvents(database.db, [makeLogEvent(tenantId, { discovered_at: new Date() })]);
      await waitFor(async () => {
        for (const id of ids) {
          const log = await listWebhookDeliveries(database.db, { tenantId, id });
          if (log.data.filter((d) => d.error?.startsWith('not sent:')).length < 2) return false;
        }
        return true;
      }, 'two refused attempts per endpoint');
    } finally {
      await worker.stop();
    }
    for (const id of ids) {
      const log = await listWebhookDeliveries(database.db, { tenantId, id });
      for (const attempt of log.data) {
        expect(attempt.statusCode).toBeNull();
        expect(attempt.error).toMatch(/^not sent: .*which is not a public address/);
      }
    }
    expect(listener.connections).toBe(0);
    expect(listener.requests).toEqual([]);
    await listener.close();
  });
});
