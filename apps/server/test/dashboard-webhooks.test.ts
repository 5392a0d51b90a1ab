/**
 * Settings → Webhooks through the dashboard API (`/dashboard/api/webhooks…`), on the engine
 * under test: admin only, session + CSRF like every dashboard route, another tenant's
 * endpoint a 404, the signing secret in the creation and rotation answers only, bad input a
 * 400 naming the field. A real receiver on loopback takes the test events, verified with the
 * official `standardwebhooks` package.
 */
import type { LogEvent } from '@1security/contract';
import { Webhook } from 'standardwebhooks';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';
import { createTenant } from '../src/tenants/tenants.repository';
import { readAuditFeed } from './support/audit-feed';
import { createUserWithPassword, DashboardCaller } from './support/dashboard-session';
import { createKey, startTestServer, type TestServer } from './support/test-server';
import {
  standardWebhookHeaders as signedHeaders,
  startWebhookReceiver,
  type WebhookReceiver,
} from './support/recording-webhook-receiver';
import { createTestDatabase, ENGINE, type TestDatabase } from './support/test-database';

const unique = (what: string) => `${what}-${ulid().toLowerCase()}@contoso.example`;

describe(`dashboard API: Settings → Webhooks (${ENGINE})`, () => {
  let database: TestDatabase;
  /** WEBHOOK_ALLOW_HTTP and WEBHOOK_ALLOW_PRIVATE_NETWORKS on: a loopback receiver is allowed. */
  let server: TestServer;
  /** The production defaults: https only, public addresses only. */
  let strictServer: TestServer;
  let receiver: WebhookReceiver;
  let tenantA: string;
  let tenantB: string;
  let adminA: string;
  let adminB: string;
  let analystA: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    const defaults = loadConfig({}).webhooks;
    expect(defaults).toMatchObject({ allowHttp: false, allowPrivateNetworks: false });
    server = await startTestServer(database, {
      webhooks: { ...defaults, workers: 0, allowHttp: true, allowPrivateNetworks: true, timeoutMs: 5_000 },
    });
    strictServer = await startTestServer(database, { webhooks: { ...defaults, workers: 0 } });
    receiver = await startWebhookReceiver();
    tenantA = (await createTenant(database.db, 'Tenant A')).id;
    tenantB = (await createTenant(database.db, 'Tenant B')).id;
    adminA = unique('admin-a');
    adminB = unique('admin-b');
    analystA = unique('analyst-a');
    await createUserWithPassword(database, server.url, { tenantId: tenantA, email: adminA, role: 'admin' });
    await createUserWithPassword(database, server.url, { tenantId: tenantB, email: adminB, role: 'admin' });
    await createUserWithPassword(database, server.url, { tenantId: tenantA, email: analystA, role: 'analyst' });
  });
  afterAll(async () => {
    await receiver?.close();
    await strictServer?.close();
    await server?.close();
    await database?.close();
  });

  const signedIn = async (email: string, on: TestServer = server) => {
    const caller = new DashboardCaller(on.url);
    const res = await caller.signIn(email);
    expect(res.status, res.text).toBe(200);
    return caller;
  };

  const create = async (caller: DashboardCaller, body: Record<string, unknown> = {}) => {
    const res = await caller.call('POST', '/webhooks', { url: receiver.url, resources: ['security-alerts'], ...body });
    expect(res.status, res.text).toBe(201);
    return res.json.data as { endpoint: { id: string } & Record<string, unknown>; secret: string };
  };

  it('creates an endpoint (secret once), sends a signed test event to a real receiver, logs the delivery, rotates, disables, replays — all audited, no secret anywhere else', async () => {
    const admin = await signedIn(adminA);
    const created = await admin.call('POST', '/webhooks', {
      url: receiver.url,
      description: 'Tines: triage story',
      resources: ['security-alerts', 'logs'],
      filters: { 'security-alerts': { severity: 'high,critical' } },
      batchSize: 10,
    });
    expect(created.status, created.text).toBe(201);
    const { endpoint, secret } = created.json.data;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]{32,}$/);
    expect(endpoint).toMatchObject({
      url: receiver.url,
      description: 'Tines: triage story',
      resources: ['logs', 'security-alerts'],
      filters: { 'security-alerts': { severity: 'high,critical' } },
      batchSize: 10,
      status: 'enabled',
      disabledReason: null,
      startFrom: 'now',
      createdBy: adminA,
      failureCount: 0,
      previousSecretExpiresAt: null,
    });
    expect(Object.keys(endpoint)).not.toContain('secret');
    expect(Object.keys(endpoint)).not.toContain('tenantId');

    const list = await admin.call('GET', '/webhooks');
    expect(list.status).toBe(200);
    expect(list.json.data[0].id).toBe(endpoint.id);
    const got = await admin.call('GET', `/webhooks/${endpoint.id}`);
    expect(got.status).toBe(200);
    expect(got.json.data).toEqual(endpoint);
    for (const text of [list.text, got.text]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(secret.slice(6, 30));
    }

    // A test event, verified by the receiver with the official library and this secret.
    const tested = await admin.call('POST', `/webhooks/${endpoint.id}/test`);
    expect(tested.status, tested.text).toBe(200);
    expect(tested.json.data).toMatchObject({
      endpointId: endpoint.id,
      type: 'webhook.test',
      attempt: 1,
      statusCode: 200,
      error: null,
      responseSnippet: 'receiver says 200',
    });
    expect(receiver.received).toHaveLength(1);
    const [message] = receiver.received;
    expect(message!.headers['webhook-id']).toBe(tested.json.data.messageId);
    expect(message!.headers['content-type']).toMatch(/^application\/json/);
    expect(message!.headers['user-agent']).toMatch(/^1Security-Webhooks\//);
    const verified = new Webhook(secret).verify(message!.body, signedHeaders(message!.headers)) as { type: string };
    expect(verified.type).toBe('webhook.test');
    expect(() =>
      new Webhook(secret).verify(message!.body.replace('test', 'tost'), signedHeaders(message!.headers)),
    ).toThrow();

    const deliveries = await admin.call('GET', `/webhooks/${endpoint.id}/deliveries`);
    expect(deliveries.status).toBe(200);
    expect(deliveries.json.data[0]).toEqual(tested.json.data);
    expect(deliveries.json.nextCursor).toBeNull();
    expect(deliveries.text).not.toContain(secret);

    // Edit: filters replaced, batch size changed; bad values refused, nothing changed.
    const updated = await admin.call('PATCH', `/webhooks/${endpoint.id}`, {
      filters: { 'security-alerts': { severity: 'critical', status: 'new' } },
      batchSize: 1,
      description: null,
    });
    expect(updated.status, updated.text).toBe(200);
    expect(updated.json.data).toMatchObject({
      filters: { 'security-alerts': { severity: 'critical', status: 'new' } },
      batchSize: 1,
      description: null,
    });

    // Rotation: a new secret, once; the next message is signed with both.
    const rotated = await admin.call('POST', `/webhooks/${endpoint.id}/rotate-secret`);
    expect(rotated.status, rotated.text).toBe(200);
    const newSecret = rotated.json.data.secret as string;
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(secret);
    expect(Date.parse(rotated.json.data.endpoint.previousSecretExpiresAt)).toBeGreaterThan(Date.now());
    expect((await admin.call('POST', `/webhooks/${endpoint.id}/test`)).json.data.statusCode).toBe(200);
    const second = receiver.received[1]!;
    expect(String(second.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(() => new Webhook(secret).verify(second.body, signedHeaders(second.headers))).not.toThrow();
    expect(() => new Webhook(newSecret).verify(second.body, signedHeaders(second.headers))).not.toThrow();
    expect((await admin.call('GET', `/webhooks/${endpoint.id}`)).text).not.toContain(newSecret);

    // Disable (reason: manual), enable, retry now, replay from a time.
    const disabled = await admin.call('POST', `/webhooks/${endpoint.id}/disable`);
    expect(disabled.status).toBe(200);
    expect(disabled.json.data).toMatchObject({ status: 'disabled', disabledReason: 'manual' });
    const enabled = await admin.call('POST', `/webhooks/${endpoint.id}/enable`);
    expect(enabled.json.data).toMatchObject({ status: 'enabled', disabledReason: null });
    expect((await admin.call('POST', `/webhooks/${endpoint.id}/retry`)).status).toBe(200);
    const replayed = await admin.call('POST', `/webhooks/${endpoint.id}/replay`, {
      from: new Date(Date.now() - 3_600_000).toISOString(),
    });
    expect(replayed.status, replayed.text).toBe(200);
    expect(replayed.json.data.id).toBe(endpoint.id);

    // The tenant's audit log names every change, by this admin, and holds no secret.
    const reader = await createKey(database, tenantA, { scopes: ['logs:read'] });
    const log = await readAuditFeed(server.url, reader.secret, (events) =>
      events.some((e) => e.action === 'WebhookReplayed'),
    );
    expect(log.text).not.toContain(secret);
    expect(log.text).not.toContain(newSecret);
    const mine = log.events.filter(
      (e: LogEvent) => e.resourceType === 'webhook' && e.resourceName?.startsWith(endpoint.id),
    );
    expect(mine.map((e) => e.action)).toEqual([
      'WebhookCreated',
      'WebhookTestSent',
      'WebhookUpdated',
      'WebhookSecretRotated',
      'WebhookTestSent',
      'WebhookDisabled',
      'WebhookEnabled',
      'WebhookRetried',
      'WebhookReplayed',
    ]);
    expect(mine.every((e) => e.actorName === adminA && e.actorType === 'user')).toBe(true);
  });

  it('a receiver that fails is shown in the attempt: status code, response snippet', async () => {
    const admin = await signedIn(adminA);
    const { endpoint } = await create(admin);
    receiver.status = 503;
    try {
      const tested = await admin.call('POST', `/webhooks/${endpoint.id}/test`);
      expect(tested.status).toBe(200);
      expect(tested.json.data).toMatchObject({ statusCode: 503, responseSnippet: 'receiver says 503' });
    } finally {
      receiver.status = 200;
    }
    // Nothing listens on port 9 of loopback: no status, an error instead.
    const { endpoint: nowhere } = await create(admin, { url: 'http://127.0.0.1:9/nothing' });
    const refused = await admin.call('POST', `/webhooks/${nowhere.id}/test`);
    expect(refused.status).toBe(200);
    expect(refused.json.data.statusCode).toBeNull();
    expect(refused.json.data.error).toEqual(expect.any(String));
  });

  it('answers bad input with 400 naming the field, in words the form can show', async () => {
    const admin = await signedIn(adminA);
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ resources: ['logs'] }, 'url', /required/],
      [{ url: '', resources: ['logs'] }, 'url', /required/],
      [{ url: 'not a url', resources: ['logs'] }, 'url', /./],
      [{ url: 'ftp://example.com/x', resources: ['logs'] }, 'url', /./],
      [{ url: receiver.url }, 'resources', /required/],
      [{ url: receiver.url, resources: [] }, 'resources', /at least one/],
      [{ url: receiver.url, resources: ['devices'] }, 'resources', /must be one of/],
      [{ url: receiver.url, resources: ['logs'], batchSize: 0 }, 'batchSize', /at least 1/],
      [{ url: receiver.url, resources: ['logs'], batchSize: 101 }, 'batchSize', /at most 100/],
      [{ url: receiver.url, resources: ['logs'], batchSize: 1.5 }, 'batchSize', /whole number/],
      [{ url: receiver.url, resources: ['logs'], startFrom: 'yesterday' }, 'startFrom', /RFC 3339|now/],
      [{ url: receiver.url, resources: ['logs'], secret: 'whsec_mine' }, 'secret', /not a body parameter/],
      [
        { url: receiver.url, resources: ['logs'], filters: { logs: { severity: 'urgent' } } },
        'filters.logs.severity',
        /unknown value "urgent"/,
      ],
      [
        { url: receiver.url, resources: ['logs'], filters: { logs: { colour: 'red' } } },
        'filters.logs.colour',
        /is not a filter of logs/,
      ],
      [
        { url: receiver.url, resources: ['logs'], filters: { 'security-alerts': { severity: 'high' } } },
        'filters.security-alerts',
        /not one of the endpoint's resources/,
      ],
    ];
    for (const [body, parameter, message] of cases) {
      const res = await admin.call('POST', '/webhooks', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error.code).toBe('VALIDATION_ERROR');
      const detail = res.json.error.details.find((d: { parameter: string }) => d.parameter === parameter);
      expect(detail?.message, `${JSON.stringify(body)} → ${res.text}`).toMatch(message);
    }
    const { endpoint } = await create(admin);
    const badReplay = await admin.call('POST', `/webhooks/${endpoint.id}/replay`, { from: 'last tuesday' });
    expect(badReplay.status).toBe(400);
    expect(badReplay.json.error.details[0].parameter).toBe('from');
    const future = await admin.call('POST', `/webhooks/${endpoint.id}/replay`, { from: '2999-01-01T00:00:00Z' });
    expect(future.status).toBe(400);
    expect(future.json.error.details[0]).toMatchObject({ parameter: 'from', message: expect.stringMatching(/future/) });
    const badPatch = await admin.call('PATCH', `/webhooks/${endpoint.id}`, { batchSize: 500 });
    expect(badPatch.status).toBe(400);
    expect((await admin.call('GET', `/webhooks/${endpoint.id}`)).json.data.batchSize).toBe(1);
  });

  it('with the production defaults: http:// and internal addresses are refused at creation with a clear 400', async () => {
    const admin = await signedIn(adminA, strictServer);
    const refused = async (url: string) => {
      const res = await admin.call('POST', '/webhooks', { url, resources: ['logs'] });
      expect(res.status, `${url} → ${res.text}`).toBe(400);
      expect(res.json.error.code).toBe('VALIDATION_ERROR');
      const [detail] = res.json.error.details;
      expect(detail.parameter).toBe('url');
      return detail.message as string;
    };
    expect(await refused(receiver.url)).toMatch(/https/i);
    for (const url of [
      'https://127.0.0.1/hook',
      'https://[::1]/hook',
      'https://10.1.2.3/hook',
      'https://169.254.169.254/latest/meta-data',
      'https://[::ffff:127.0.0.1]/hook',
      'https://100.64.0.1/hook',
    ]) {
      expect(await refused(url)).toMatch(/address|private|loopback|link-local|not allowed|refused/i);
    }
    const list = await admin.call('GET', '/webhooks');
    expect(list.json.data.map((e: { url: string }) => e.url)).not.toContain('https://127.0.0.1/hook');
  });

  it("another tenant's endpoint is a 404 on every route, and stays as it was", async () => {
    const owner = await signedIn(adminA);
    const { endpoint } = await create(owner);
    const sent = receiver.received.length;
    const intruder = await signedIn(adminB);
    const routes: Array<[string, string, unknown?]> = [
      ['GET', `/webhooks/${endpoint.id}`],
      ['PATCH', `/webhooks/${endpoint.id}`, { batchSize: 5 }],
      ['POST', `/webhooks/${endpoint.id}/enable`],
      ['POST', `/webhooks/${endpoint.id}/disable`],
      ['POST', `/webhooks/${endpoint.id}/rotate-secret`],
      ['POST', `/webhooks/${endpoint.id}/test`],
      ['GET', `/webhooks/${endpoint.id}/deliveries`],
      ['POST', `/webhooks/${endpoint.id}/retry`],
      ['POST', `/webhooks/${endpoint.id}/replay`, { from: '2026-01-01T00:00:00Z' }],
    ];
    for (const [method, path, body] of routes) {
      const res = await intruder.call(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.json.error.code).toBe('NOT_FOUND');
      // The same answer as for an id that exists nowhere.
      const nowhere = await intruder.call(method, path.replace(endpoint.id, ulid()), body);
      expect(nowhere.status).toBe(404);
      expect(nowhere.json.error.message).toBe(res.json.error.message);
    }
    expect(receiver.received.length).toBe(sent);
    expect((await intruder.call('GET', '/webhooks')).json.data.map((e: { id: string }) => e.id)).not.toContain(
      endpoint.id,
    );
    const after = await owner.call('GET', `/webhooks/${endpoint.id}`);
    expect(after.json.data).toEqual(endpoint);
  });

  it('an analyst gets 403 on every webhook route; no session is 401', async () => {
    const owner = await signedIn(adminA);
    const { endpoint } = await create(owner);
    const analyst = await signedIn(analystA);
    const anonymous = new DashboardCaller(server.url);
    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/webhooks'],
      ['POST', '/webhooks', { url: receiver.url, resources: ['logs'] }],
      ['GET', `/webhooks/${endpoint.id}`],
      ['PATCH', `/webhooks/${endpoint.id}`, { batchSize: 5 }],
      ['POST', `/webhooks/${endpoint.id}/disable`],
      ['POST', `/webhooks/${endpoint.id}/rotate-secret`],
      ['POST', `/webhooks/${endpoint.id}/test`],
      ['GET', `/webhooks/${endpoint.id}/deliveries`],
      ['POST', `/webhooks/${endpoint.id}/retry`],
      ['POST', `/webhooks/${endpoint.id}/replay`, { from: '2026-01-01T00:00:00Z' }],
    ];
    for (const [method, path, body] of routes) {
      const res = await analyst.call(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.json.error).toMatchObject({ code: 'FORBIDDEN', message: 'Settings → Webhooks is for admins only.' });
      const none = await anonymous.call(method, path, body);
      expect(none.status, `${method} ${path} without a session`).toBe(401);
    }
    expect((await owner.call('GET', `/webhooks/${endpoint.id}`)).json.data).toEqual(endpoint);
  });

  it('refuses a mutation with a forged or missing Origin, or a non-JSON body (403); nothing changes', async () => {
    const admin = await signedIn(adminA);
    const { endpoint } = await create(admin);
    const body = { url: `${receiver.url}?csrf`, resources: ['logs'] };
    const forged = await admin.call('POST', '/webhooks', body, { origin: 'https://evil.example' });
    expect(forged.status).toBe(403);
    expect(forged.json.error.code).toBe('FORBIDDEN');
    const noOrigin = await fetch(`${server.url}/dashboard/api/webhooks/${endpoint.id}/rotate-secret`, {
      method: 'POST',
      headers: { cookie: admin.cookie! },
    });
    expect(noOrigin.status).toBe(403);
    const form = await fetch(`${server.url}/dashboard/api/webhooks`, {
      method: 'POST',
      headers: { cookie: admin.cookie!, origin: server.url, 'content-type': 'application/x-www-form-urlencoded' },
      body: `url=${encodeURIComponent(body.url)}&resources=logs`,
    });
    expect(form.status).toBe(403);
    const disable = await admin.call('POST', `/webhooks/${endpoint.id}/disable`, undefined, { origin: 'null' });
    expect(disable.status).toBe(403);
    const list = await admin.call('GET', '/webhooks');
    expect(list.json.data.map((e: { url: string }) => e.url)).not.toContain(body.url);
    expect((await admin.call('GET', `/webhooks/${endpoint.id}`)).json.data).toEqual(endpoint);
  });
});
