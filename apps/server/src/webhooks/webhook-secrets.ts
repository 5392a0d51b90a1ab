import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { Db } from '../db/database';
import { serverSecret } from '../db/server-secrets';

/** The server secret that seals webhook signing secrets at rest. */
export const WEBHOOK_SECRET_KEY_NAME = 'webhook-secret-key';

/** A Standard Webhooks secret: `whsec_` + base64 of 32 random bytes (the spec asks ≥ 24). */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/**
 * Seals signing secrets with AES-256-GCM under a server secret. They must be stored
 * reversibly (the server signs with them), so never in clear: a database dump alone does
 * not let anyone forge a message.
 */
export class WebhookSecretBox {
  readonly #key: Buffer;

  constructor(serverKey: string) {
    this.#key = Buffer.from(serverKey, 'base64url');
    if (this.#key.length !== 32) throw new Error('webhook secret key must be 32 bytes');
  }

  static async of(db: Db): Promise<WebhookSecretBox> {
    return new WebhookSecretBox(await serverSecret(db, WEBHOOK_SECRET_KEY_NAME));
  }

  seal(secret: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join(
      '.',
    );
  }

  open(sealed: string): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || !body) throw new Error('malformed sealed webhook secret');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }
}

/** The Standard Webhooks headers of one message, signed with every given secret. */
export function signedHeaders(
  secrets: string[],
  messageId: string,
  timestamp: Date,
  body: string,
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    // The official implementation signs: HMAC-SHA256 over `id.timestamp.body`, `v1,<base64>`.
    'webhook-signature': secrets.map((secret) => new Webhook(secret).sign(messageId, timestamp, body)).join(' '),
  };
}

/**
 * A message id that depends only on what the message carries: the endpoint, the resource and
 * the span of its feed (first and last row positions). A retry or a replay of the same span
 * has the same id, so a receiver de-duplicates on it.
 */
export function feedMessageId(
  endpointId: string,
  resource: string,
  first: [string, string],
  last: [string, string],
): string {
  const digest = createHash('sha256')
    .update([endpointId, resource, first.join(':'), last.join(':')].join('|'))
    .digest('base64url')
    .slice(0, 32);
  return `msg_${digest}`;
}
