import { createHmac, hash, randomBytes, timingSafeEqual } from 'node:crypto';

export const SECRET_PREFIX = '1sec_live_';
const SECRET_BYTES = 32;
/** `1sec_live_` + 32 random bytes in base64url (43 characters). */
const SECRET_FORMAT = /^1sec_live_[A-Za-z0-9_-]{43}$/;

/** A new, never-before-seen API key secret. Shown to the operator once; never stored. */
export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(SECRET_BYTES).toString('base64url');
}

/** The part of a secret safe to show in listings and logs. */
export function displayPrefix(secret: string): string {
  return `${secret.slice(0, SECRET_PREFIX.length + 6)}…`;
}

/** True when the string could be a secret we issued; anything else is rejected unseen. */
export function isWellFormedSecret(candidate: string): boolean {
  return SECRET_FORMAT.test(candidate);
}

/**
 * What we store and look up. Secrets carry 256 bits of entropy, so a fast hash is safe
 * (no slow KDF on the hot path); with a pepper, a stolen table is useless on its own.
 */
export function hashSecret(secret: string, pepper: string | undefined): string {
  return pepper ? createHmac('sha256', pepper).update(secret).digest('hex') : hash('sha256', secret, 'hex');
}

/** Compares two hex hashes in constant time. */
export function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}
