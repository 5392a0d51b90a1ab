import { setTimeout as sleep } from 'node:timers/promises';
import { Webhook } from 'standardwebhooks';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLI_ACTOR } from '../src/audit/audit-events';
import { insertLogEvents } from '../src/logs/logs.repository';
import { upsertSecurityAlerts } from '../src/security-alerts/security-alerts.repository';
import { createTenant } from '../src/tenants/tenants.repository';
import {
  createWebhookEndpoint,
  getWebhookEndpoint,
  listWebhookDeliveries,
  replayWebhookEndpoint,
  retryWebhookNow,
  rotateWebhookSecret,
  sendWebhookTestEvent,
  setWebhookEndpointStatus,
  type WebhookServiceOptions,
} from '../src/webhooks/webhook-endpoints.service';
import { signedHeaders } from '../src/webhooks/webhook-secrets';
import { WEBHOOK_USER_AGENT } from '../src/webhooks/webhook-sender';
import { WebhookWorker } from '../src/webhooks/webhook-worker';
import { makeLogEvent, makeSecurityAlert } from './support/factories';
import { ENGINE, createTestDatabase, silentLogger, type TestDatabase } from './support/test-database';
import { WebhookReceiver, waitFor, type Answer } from './support/webhook-receiver';

/**
 * Delivery end to end in one process: the service creates endpoints, a real worker delivers
 * to real receivers on loopback, which verify with the official `standardwebhooks` package.
 * Durations are scaled (WEBHOOK_TEST_TIME_SCALE's value): 5 s → 0.5 ms, 5 min → 30 ms…
 */
const TIME_SCALE = 0.0001;
const TIMEOUT_MS = 400;
const LOCAL: WebhookServiceOptions = {
  network: { allowHttp: true, allowPrivateNetworks: true },
  timeoutMs: TIMEOUT_MS,
  timeScale: TIME_SCALE,
};

let database: TestDatabase;
const receivers: WebhookReceiver[] = [];
const workers: WebhookWorker[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
});
// Each test's endpoints stop with it, so the next test's worker delivers only its own.
afterEach(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await database.db.updateTable('webhook_endpoints').set({ status: 'disabled', disabled_reason: 'manual' }).execute();
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await Promise.all(receivers.map((r) => r.close()));
  await database?.close();
});

async function receiver(): Promise<WebhookReceiver> {
  const r = await WebhookReceiver.start();
  receivers.push(r);
  return r;
}

function startWorker(options: Partial<ConstructorParameters<typeof WebhookWorker>[1]> = {}): WebhookWorker {
  const worker = new WebhookWorker(database.db, {
    workers: 2,
    network: LOCAL.network,
    timeoutMs: TIMEOUT_MS,
    timeScale: TIME_SCALE,
    logger: silentLogger,
    pollIntervalMs: 50,
    ...options,
  });
  worker.start();
  workers.push(worker);
  return worker;
}

async function newTenant(): Promise<string> {
  return (await createTenant(database.db, `Webhooks ${Math.random()}`)).id;
}

/** Every log event of the tenant in feed (commit) order. */
async function logFeedOrder(tenantId: string): Promise<string[]> {
  const rows = await database.db
    .selectFrom('log_events')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .orderBy(sql`txid`)
    .orderBy('seq')
    .execute();
  return rows.map((r) => r.id);
}

async function endpointFor(
  tenantId: string,
  r: WebhookReceiver,
  extra: Partial<Parameters<typeof createWebhookEndpoint>[1]> = {},
) {
  const created = await createWebhookEndpoint(
    database.db,
    { tenantId, url: r.url, resources: ['logs'], actor: CLI_ACTOR, ...extra },
    LOCAL,
  );
  r.secrets = [created.secret];
  return created;
}

describe(`webhook delivery (${ENGINE})`, () => {
  it('signs every message so the official standardwebhooks package verifies it, and nothing else', async () => {
    const tenantId = await newTenant();
    const r = await receiver();
    const { secret, endpoint } = await endpointFor(tenantId, r);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64').length).toBeGreaterThanOrEqual(24);
    const worker = startWorker();
    await insertLogEvents(database.db, [makeLogEvent(tenantId, { discovered_at: new Date() })]);
    await waitFor(async () => r.itemIds().length >= 2, 'two events (the creation audit event and one more)');
    await worker.stop();

    const message = r.accepted[0]!;
    expect(message.userAgent).toBe(WEBHOOK_USER_AGENT);
    expect(message.userAgent).toMatch(/^1Security-Webhooks\/\d+\.\d+\.\d+$/);
    expect(message.body.type).toBe('logs.changed');
    expect(Date.parse(message.body.timestamp)).not.toBeNaN();
    const headers = {
      'webhook-id': message.id,
      'webhook-timestamp': message.timestamp,
      'webhook-signature': message.signature,
    };
    expect(() => new Webhook(secret).verify(message.raw, headers)).not.toThrow();
    // A wrong secret, a changed body, an old timestamp: the official package refuses each.
    const wrong = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    expect(() => new Webhook(wrong).verify(message.raw, headers)).toThrow();
    expect(() => new Webhook(secret).verify(message.raw.replace('logs.changed', 'logs.chonged'), headers)).toThrow();
    const old = signedHeaders([secret], message.id, new Date(Date.now() - 3_600_000), message.raw);
    expect(() => new Webhook(secret).verify(message.raw, old)).toThrow(/timestamp/i);
    // The secret is in neither the delivery log nor the stored row.
    const log = await listWebhookDeliveries(database.db, { tenantId, id: endpoint.id });
    expect(log.data.length).toBeGreaterThan(0);
    expect(JSON.stringify(log)).not.toContain(secret.slice(6));
    const stored = await database.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('id', '=', endpoint.id)
      .execute();
    expect(JSON.stringify(stored)).not.toContain(secret.slice(6));
  });

  it.each([1, 100])(
    'under concurrent, out-of-order and rolled-back writes, batchSize %i delivers every committed change, in feed order, once per webhook-id',
    async (batchSize) => {
      const tenantId = await newTenant();
      const r = await receiver();
      await endpointFor(tenantId, r, { batchSize });
      const worker = startWorker();
      const random = mulberry32(batchSize + (ENGINE === 'postgres' ? 3 : 5));
      const rolledBack = new Set<string>();
      // The changes-feed test's writers: transactions held open for random times, so later ones
      // often commit first; a fifth roll back.
      const writer = async () => {
        for (let t = 0; t < 10; t++) {
          const rows = Array.from({ length: 1 + Math.floor(random() * 4) }, () =>
            makeLogEvent(tenantId, { discovered_at: new Date() }),
          );
          const rollback = random() < 0.2;
          try {
            await database.db.transaction().execute(async (trx) => {
              await sleep(random() * 30);
              await insertLogEvents(trx, rows.slice(0, 1));
              await sleep(random() * 120);
              await insertLogEvents(trx, rows.slice(1));
              if (rollback) throw new Error('rollback');
            });
          } catch (err) {
            if ((err as Error).message !== 'rollback') throw err;
            for (const row of rows) rolledBack.add(row.id);
          }
        }
      };
      // Some deliveries fail, so that retries (same webhook-id) happen during the writes: the
      // first two requests whatever else happens (a slow machine may batch everything into one
      // message), then every seventh.
      r.answer = (_id, n) => (n <= 1 || n % 7 === 3 ? 500 : 'ok');
      await Promise.all([writer(), writer(), writer()]);
      const expected = await logFeedOrder(tenantId);
      await waitFor(() => r.itemIds().length >= expected.length, `${expected.length} events`);
      await worker.stop();

      expect(expected.length).toBeGreaterThan(30);
      expect(r.itemIds()).toEqual(expected);
      expect(r.itemIds().filter((id) => rolledBack.has(id))).toEqual([]);
      expect(r.verifyFailures).toEqual([]);
      expect(Math.max(...r.unique().map((m) => m.body.data.length))).toBeLessThanOrEqual(batchSize);
      if (batchSize === 100) expect(r.unique().length).toBeLessThan(expected.length);
      // A retried message had the same webhook-id as its first attempt.
      const failedIds = r.requests.filter((q) => q.answer === 500).map((q) => q.id);
      expect(failedIds.length).toBeGreaterThan(0);
      for (const id of failedIds) expect(r.accepted.some((m) => m.id === id)).toBe(true);
    },
  );

  it('500s, a hang past the timeout, a reset connection and an outage: everything arrives in order, and the log shows each attempt', async () => {
    const tenantId = await newTenant();
    const r = await receiver();
    const { endpoint } = await endpointFor(tenantId, r);
    const faults: Answer[] = [500, 'hang', 'reset', 503];
    r.answer = (_id, n) => faults[n] ?? 'ok';
    const worker = startWorker();
    await insertLogEvents(database.db, [makeLogEvent(tenantId, { discovered_at: new Date() })]);
    await waitFor(() => r.requests.length > faults.length, 'the faults to be tried through');
    // Down for a while: connections refused.
    await r.down();
    await insertLogEvents(database.db, [makeLogEvent(tenantId, { discovered_at: new Date() })]);
    await waitFor(
      async () =>
        (await listWebhookDeliveries(database.db, { tenantId, id: endpoint.id })).data.some((d) =>
          /ECONNREFUSED/.test(d.error ?? ''),
        ),
      'a refused connection in the delivery log',
    );
    await r.listen();
    for (let i = 0; i < 5; i++)
      await insertLogEvents(database.db, [makeLogEvent(tenantId, { discovered_at: new Date() })]);
    const expected = await logFeedOrder(tenantId);
    await waitFor(() => r.itemIds().length >= expected.length, 'everything after the outage');
    await worker.stop();
    expect(r.itemIds()).toEqual(expected);

    const log = (await listWebhookDeliveries(database.db, { tenantId, id: endpoint.id, limit: 200 })).data.reverse();
    const first = log.filter((d) => d.messageId === log[0]!.messageId);
    expect(first.map((d) => d.attempt)).toEqual(first.map((_, i) => i + 1));
    expect(first[0]).toMatchObject({ statusCode: 500, responseSnippet: 'answered 500' });
    expect(first[1]!.error).toMatch(/timed out after 400 ms/);
    expect(first[2]!.error).toMatch(/ECONNRESET|socket hang up|closed/);
    expect(first[3]).toMatchObject({ statusCode: 503 });
    expect(first[4]).toMatchObject({ statusCode: 204, error: null });
    expect(log.some((d) => /ECONNREFUSED/.test(d.error ?? ''))).toBe(true);
    expect((await getWebhookEndpoint(database.db, { tenantId, id: endpoint.id })).failureCount).toBe(0);
  });

  it('410 Gone disables the endpoint at once (audited); re-enabling resumes with nothing skipped', async () => {
    const tenantId = await newTenant();
    const r = await receiver();
    const { endpoint } = await endpointFor(tenantId, r);
    r.answer = (_id, n) => (n === 1 ? 410 : 'ok');
    const worker = startWorker();
    await insertLogEvents(database.db, [makeLogEvent(tenantId, { discovered_at: new Date() })]);
    await waitFor(
      async () => (await getWebhookEndpoint(database.db, { tenantId, id: endpoint.id })).status === 'disabled',
      'the endpoint to be disabled',
    );
    const disabled = await getWebhookEndpoint(database.db, { tenantId, id: endpoint.id });
    expect(disabled).toMatchObject({ status: 'disabled', disabledReason: 'gone' });
    const audit = await database.db
      .selectFrom('log_events')
      .select(['action', 'actor_name', 'resource_type', 'resource_name'])
      .where('tenant_id', '=', tenantId)
      .where('action', '=', 'WebhookAutoDisabled')
      .execute();
    expect(audit).toEqual([
      {
        action: 'WebhookAutoDisabled',
        actor_name: 'webhook-delivery',
        resource_type: 'webhook',
        resource_name: expect.stringContaining(endpoint.id),
      },
    ]);
    // Written while disabled: none may be skipped.
    for (let i = 0; i < 4; i++)
      await insertLogEvents(database.db, [makeLogEvent(tenantId, { discovered_at: new Date() })]);
    await sleep(300);
    const before = r.accepted.length;
    expect(r.requests.length).toBe(2);
    await setWebhookEndpointStatus(database.db, { tenantId, id: endpoint.id, status: 'enabled', actor: CLI_ACTOR });
    expect((await getWebhookEndpoint(database.db, { tenantId, id: endpoint.id })).disabledReason).toBeNull();
    const expected = await logFeedOrder(tenantId);
    await waitFor(() => r.itemIds().length >= expected.length, 'everything after re-enabling');
    await worker.stop();
    expect(before).toBe(1);
    expect(r.itemIds()).toEqual(expected);
  });

  it('rotating the secret signs with both for the overlap, then with the new one only', async () => {
    const tenantId = await newTenant();
    const oldOnly = await receiver();
    const { endpoint, secret: oldSecret } = await endpointFor(tenantId, oldOnly);
    const worker = startWorker({ timeScale: TIME_SCALE });
    await waitFor(() => oldOnly.accepted.length >= 1, 'the creation event');
    // 24 h scaled: 8.6 s of overlap.
    const rotated = await rotateWebhookSecret(database.db, { tenantId, id: endpoint.id, actor: CLI_ACTOR }, LOCAL);
    expect(rotated.secret).not.toBe(oldSecret);
    await insertLogEvents(database.db, [makeLogEvent(tenantId, { discovered_at: new Date() })]);
    await waitFor(() => oldOnly.accepted.length >= 3, 'messages during the overlap');
    const during = oldOnly.accepted.at(-1)!;
    expect(during.signature.split(' ')).toHaveLength(2);
    const headers = {
      'webhook-id': during.id,
      'webhook-timestamp': during.timestamp,
      'webhook-signature': during.signature,
    };
    expect(() => new Webhook(oldSecret).verify(during.raw, headers)).not.toThrow();
    expect(() => new Webhook(rotated.secret).verify(during.raw, headers)).not.toThrow();

    await waitFor(
      async () =>
        (await getWebhookEndpoint(database.db, { tenantId, id: endpoint.id })).previousSecretExpiresAt === null,
      'the overlap to end',
    );
    oldOnly.secrets = [oldSecret, rotated.secret];
    await insertLogEvents(database.db, [makeLogEvent(tenantId, { discovered_at: new Date() })]);
    const count = oldOnly.accepted.length;
    await waitFor(() => oldOnly.accepted.length > count, 'a message after the overlap');
    await worker.stop();
    const after = oldOnly.accepted.at(-1)!;
    const afterHeaders = {
      'webhook-id': after.id,
      'webhook-timestamp': after.timestamp,
      'webhook-signature': after.signature,
    };
    expect(after.signature.split(' ')).toHaveLength(1);
    expect(() => new Webhook(rotated.secret).verify(after.raw, afterHeaders)).not.toThrow();
    expect(() => new Webhook(oldSecret).verify(after.raw, afterHeaders)).toThrow();
  });

  it('an endpoint failing for 3 days (scaled) is disabled as "failing", audited, after attempts on the schedule', async () => {
    const tenantId = await newTenant();
    const r = await receiver();
    const { endpoint } = await endpointFor(tenantId, r);
    r.answer = () => 500;
    const worker = startWorker();
    await waitFor(
      async () => (await getWebhookEndpoint(database.db, { tenantId, id: endpoint.id })).status === 'disabled',
      'the endpoint to be disabled after 3 scaled days',
    );
    await worker.stop();
    expect(await getWebhookEndpoint(database.db, { tenantId, id: endpoint.id })).toMatchObject({
      disabledReason: 'failing',
      lastError: 'HTTP 500',
    });
    const attempts = (await listWebhookDeliveries(database.db, { tenantId, id: endpoint.id, limit: 200 })).data.reverse();
    // 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, then every 10 h: 3 days is 11 or 12 attempts.
    expect(attempts.map((a) => a.attempt)).toEqual(attempts.map((_, i) => i + 1));
    expect(attempts.length).toBeGreaterThanOrEqual(10);
    expect(attempts.length).toBeLessThanOrEqual(13);
    expect(new Set(attempts.map((a) => a.messageId)).size).toBe(1);
    const audit = await database.db
      .selectFrom('log_events')
      .select(['action', 'actor_name'])
      .where('tenant_id', '=', tenantId)
      .where('action', '=', 'WebhookAutoDisabled')
      .execute();
    expect(audit).toEqual([{ action: 'WebhookAutoDisabled', actor_name: 'webhook-delivery' }]);
  });

  it('a test event is sent on request and returned as its attempt; "retry now" clears the back-off', async () => {
    const tenantId = await newTenant();
    const r = await receiver();
    const { endpoint } = await endpointFor(tenantId, r);
    const attempt = await sendWebhookTestEvent(database.db, { tenantId, id: endpoint.id, actor: CLI_ACTOR }, LOCAL);
    expect(attempt).toMatchObject({ type: 'webhook.test', statusCode: 204, error: null, attempt: 1 });
    expect(r.accepted.map((m) => m.body.type)).toEqual(['webhook.test']);

    // Unscaled durations: after two failures the next attempt would be 5 minutes away.
    r.answer = (_id, n) => (n <= 2 ? 503 : 'ok');
    const worker = startWorker({ timeScale: 1 });
    await waitFor(
      async () => (await getWebhookEndpoint(database.db, { tenantId, id: endpoint.id })).failureCount === 2,
      'two failed attempts',
    );
    const waiting = await getWebhookEndpoint(database.db, { tenantId, id: endpoint.id });
    expect(Date.parse(waiting.nextRetryAt!) - Date.now()).toBeGreaterThan(60_000);
    await retryWebhookNow(database.db, { tenantId, id: endpoint.id, actor: CLI_ACTOR });
    await waitFor(() => r.itemIds('logs.changed').length >= 1, 'the retried message');
    await worker.stop();
    const actions = await database.db
      .selectFrom('log_events')
      .select('action')
      .where('tenant_id', '=', tenantId)
      .where('resource_type', '=', 'webhook')
      .orderBy('seq')
      .execute();
    expect(actions.map((a) => a.action)).toEqual(['WebhookCreated', 'WebhookTestSent', 'WebhookRetried']);
  });

  it('filters and replay: only matching security alerts, and a replay re-sends the same spans with the same webhook-ids', async () => {
    const tenantId = await newTenant();
    const r = await receiver();
    const start = new Date(Date.now() - 60_000);
    const alerts = ['high', 'low', 'critical', 'medium'].map((severity) =>
      makeSecurityAlert(tenantId, { severity: severity as never, updated_at: new Date() }),
    );
    await upsertSecurityAlerts(database.db, alerts);
    const { endpoint } = await endpointFor(tenantId, r, {
      resources: 'security-alerts',
      filters: { 'security-alerts': { severity: 'high,critical' } },
      startFrom: start.toISOString(),
    });
    const worker = startWorker();
    await waitFor(() => r.itemIds().length >= 2, 'the two matching alerts');
    await sleep(200);
    expect(r.itemIds()).toEqual(alerts.filter((a) => ['high', 'critical'].includes(a.severity)).map((a) => a.id));
    expect(new Set(r.unique().map((m) => m.body.type))).toEqual(new Set(['security-alerts.changed']));
    const firstIds = r.unique().map((m) => m.id);
    await replayWebhookEndpoint(database.db, { tenantId, id: endpoint.id, from: start, actor: CLI_ACTOR });
    await waitFor(() => r.accepted.length >= 4, 'the replay');
    await worker.stop();
    expect(r.accepted.slice(2).map((m) => m.id)).toEqual(firstIds);
    expect(r.itemIds()).toHaveLength(2);
  });
});

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
