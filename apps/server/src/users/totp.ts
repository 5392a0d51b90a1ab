import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';

const ISSUER = '1Security';

/** A new RFC 6238 secret (160 bits), as base32. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totpOf(secretBase32: string, label: string): TOTP {
  return new TOTP({
    issuer: ISSUER,
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
    secret: Secret.fromBase32(secretBase32),
  });
}

export function otpauthUrl(secretBase32: string, email: string): string {
  return totpOf(secretBase32, email).toString();
}

/**
 * The time step (30-second counter) of `code` when it is the current code or the one just
 * before or after (clock drift); null when it is none of them. A step is accepted at most once
 * per user (RFC 6238 §5.2): callers claim it with `claimTotpStep` / `confirmTotpSecret`.
 */
export function acceptedTotpStep(secretBase32: string, code: string, at: number = Date.now()): number | null {
  const totp = totpOf(secretBase32, 'check');
  const delta = totp.validate({ token: code, window: 1, timestamp: at });
  return delta === null ? null : totp.counter({ timestamp: at }) + delta;
}

/**
 * TOTP secrets are encrypted at rest (AES-256-GCM) under a server secret, so a copy of the
 * users table alone does not yield anyone's second factor.
 */
export class TotpSecretBox {
  readonly #key: Buffer;

  constructor(serverSecret: string) {
    this.#key = Buffer.from(serverSecret, 'base64url');
    if (this.#key.length !== 32) throw new Error('TOTP encryption key must be 32 bytes');
  }

  seal(secretBase32: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const body = Buffer.concat([cipher.update(secretBase32, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join(
      '.',
    );
  }

  open(sealed: string): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || !body) throw new Error('malformed sealed TOTP secret');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }
}

export const TOTP_KEY_SECRET_NAME = 'totp-encryption-key';
