/**
 * The webhooks guide's code, run as a reader would: its receiver (`receiver.ts`, with the
 * official `standardwebhooks` package) as a real process on loopback, and its by-hand verifier
 * (`verify-webhook.ts`), both taken from the Markdown and fed messages signed in the test with
 * `standardwebhooks` — the way 1Security signs them. Genuine messages pass; a changed body, a
 * wrong secret, a stale or missing timestamp fail; a repeated `webhook-id` is handled once;
 * during a secret rotation (two signatures) either secret verifies.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawnServerProcess, type ServerProcess } from '@1security/test-kit';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCS_ROOT, SNIPPETS_DIR } from './support/paths';
import { readGuideCode } from './support/snippets';

const GUIDE = 'webhooks';
const DIR = path.join(SNIPPETS_DIR, 'webhooks-guide');
const TSX = path.join(DOCS_ROOT, 'node_modules/.bin/tsx');

const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

/** The guide's `file=NAME` snippet, written into the working folder; its path. */
function writeGuideFile(name: string): string {
  const guide = readGuideCode().find((g) => g.guide === GUIDE);
  const snippet = guide?.snippets.find((s) => s.file === name);
  if (!snippet) throw new Error(`guides/${GUIDE}.md has no \`\`\`ts file=${name} block`);
  const file = path.join(DIR, name);
  writeFileSync(file, `${snippet.code}\n`);
  return file;
}

/** A message as 1Security sends it: the body, and headers signed with every given secret. */
function signedMessage(
  secrets: string[],
  body: unknown,
  { id = `msg_${randomBytes(12).toString('hex')}`, at = new Date() }: { id?: string; at?: Date } = {},
): { body: string; headers: Record<string, string> } {
  const text = JSON.stringify(body);
  return {
    body: text,
    headers: {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': secrets.map((secret) => new Webhook(secret).sign(id, at, text)).join(' '),
    },
  };
}

const sample = (n = 1) => ({
  type: 'security-alerts.changed',
  timestamp: new Date().toISOString(),
  data: Array.from({ length: n }, (_, i) => ({ id: `01J2Z3K4M5N6P7Q8R9S0T1V2W${i}`, severity: 'high', status: 'new' })),
});

beforeAll(() => {
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
});

describe('guides/webhooks.md: verify by hand (verify-webhook.ts)', () => {
  type Verify = (
    secret: string,
    headers: Record<string, string | string[] | undefined>,
    body: string,
    nowMs?: number,
  ) => unknown;
  let verifyWebhook: Verify;
  const secret = newSecret();

  beforeAll(async () => {
    const file = writeGuideFile('verify-webhook.ts');
    ({ verifyWebhook } = (await import(pathToFileURL(file).href)) as { verifyWebhook: Verify });
  });

  /** What the official library says of the same message: the by-hand code must agree. */
  const officialAccepts = (key: string, message: { body: string; headers: Record<string, string> }) => {
    try {
      new Webhook(key).verify(message.body, message.headers);
      return true;
    } catch {
      return false;
    }
  };

  it('accepts a message signed with the secret, and returns its body', () => {
    const message = signedMessage([secret], sample(3));
    expect(verifyWebhook(secret, message.headers, message.body)).toEqual(JSON.parse(message.body));
    expect(officialAccepts(secret, message)).toBe(true);
  });

  it('rejects a changed body, a changed id or timestamp, a wrong secret — as the official library does', () => {
    const message = signedMessage([secret], sample());
    const tampered = [
      { ...message, body: message.body.replace('"high"', '"low"') },
      { ...message, headers: { ...message.headers, 'webhook-id': 'msg_someone_else' } },
      {
        ...message,
        headers: { ...message.headers, 'webhook-timestamp': String(Number(message.headers['webhook-timestamp']) - 1) },
      },
    ];
    for (const forged of tampered) {
      expect(() => verifyWebhook(secret, forged.headers, forged.body)).toThrow(/no valid signature/);
      expect(officialAccepts(secret, forged)).toBe(false);
    }
    const other = newSecret();
    expect(() => verifyWebhook(other, message.headers, message.body)).toThrow(/no valid signature/);
    expect(officialAccepts(other, message)).toBe(false);
  });

  it('rejects a stale or far-future timestamp, and missing headers', () => {
    const old = signedMessage([secret], sample(), { at: new Date(Date.now() - 6 * 60_000) });
    expect(() => verifyWebhook(secret, old.headers, old.body)).toThrow(/too old/);
    expect(officialAccepts(secret, old)).toBe(false);
    const ahead = signedMessage([secret], sample(), { at: new Date(Date.now() + 6 * 60_000) });
    expect(() => verifyWebhook(secret, ahead.headers, ahead.body)).toThrow(/too old or too far ahead/);
    // Within the tolerance, signed 4 minutes ago: fine.
    const recent = signedMessage([secret], sample(), { at: new Date(Date.now() - 4 * 60_000) });
    expect(verifyWebhook(secret, recent.headers, recent.body)).toBeTruthy();
    const { 'webhook-signature': _dropped, ...unsigned } = recent.headers;
    expect(() => verifyWebhook(secret, unsigned, recent.body)).toThrow(/missing/);
  });

  it('during a rotation (two signatures) accepts either secret, and only those', () => {
    const next = newSecret();
    const message = signedMessage([next, secret], sample());
    expect(message.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(verifyWebhook(secret, message.headers, message.body)).toBeTruthy();
    expect(verifyWebhook(next, message.headers, message.body)).toBeTruthy();
    expect(() => verifyWebhook(newSecret(), message.headers, message.body)).toThrow(/no valid signature/);
  });
});

describe('guides/webhooks.md: the receiver (receiver.ts, with standardwebhooks)', () => {
  const secret = newSecret();
  let receiver: ServerProcess;
  const handled: Array<{ id: string; type: string; items: number }> = [];

  beforeAll(async () => {
    writeGuideFile('receiver.ts');
    receiver = await spawnServerProcess({
      cwd: DIR,
      command: TSX,
      args: ['receiver.ts'],
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', WEBHOOK_SECRET: secret },
      onStdoutLine: (line) => {
        if (line.startsWith('{')) handled.push(JSON.parse(line) as { id: string; type: string; items: number });
      },
    });
  });
  afterAll(async () => {
    await receiver?.stop();
  });

  const post = (message: { body: string; headers: Record<string, string> }) =>
    fetch(`${receiver.url}/hooks/1security`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': '1Security-Webhooks/test', ...message.headers },
      body: message.body,
    });

  it('answers 204 to a genuine message and hands it on; the same webhook-id again is acknowledged but handled once', async () => {
    const message = signedMessage([secret], sample(2));
    expect((await post(message)).status).toBe(204);
    // A retry: the same id, signed again a moment later.
    const retry = signedMessage([secret], JSON.parse(message.body), {
      id: message.headers['webhook-id'],
      at: new Date(Date.now() + 1_000),
    });
    expect((await post(retry)).status).toBe(204);
    const other = signedMessage([secret], { type: 'webhook.test', timestamp: new Date().toISOString(), data: [{}] });
    expect((await post(other)).status).toBe(204);
    // Its log line follows its answer: wait for the second one to be read.
    await expect.poll(() => handled.length).toBe(2);
    expect(handled).toEqual([
      { id: message.headers['webhook-id'], type: 'security-alerts.changed', items: 2 },
      { id: other.headers['webhook-id'], type: 'webhook.test', items: 1 },
    ]);
  });

  it('answers 400 to a changed body, a wrong secret, a stale timestamp or no signature, and hands nothing on', async () => {
    const before = handled.length;
    const genuine = signedMessage([secret], sample());
    const refused = [
      { ...genuine, body: genuine.body.replace('"new"', '"resolved"') },
      signedMessage([newSecret()], sample()),
      signedMessage([secret], sample(), { at: new Date(Date.now() - 10 * 60_000) }),
      {
        body: genuine.body,
        headers: { 'webhook-id': 'msg_unsigned', 'webhook-timestamp': genuine.headers['webhook-timestamp']! },
      },
    ];
    for (const message of refused) {
      const res = await post(message);
      expect(res.status).toBe(400);
      expect(await res.text()).toBe('invalid signature');
    }
    // The genuine one still passes, after the refusals, and is the only one handed on.
    expect((await post(genuine)).status).toBe(204);
    await expect.poll(() => handled.length).toBe(before + 1);
    expect(handled.at(-1)?.id).toBe(genuine.headers['webhook-id']);
  });

  it('during a secret rotation, a message signed with the new and the old secret passes', async () => {
    const before = handled.length;
    const rotated = signedMessage([newSecret(), secret], sample());
    expect((await post(rotated)).status).toBe(204);
    await expect.poll(() => handled.length).toBe(before + 1);
  });
});
