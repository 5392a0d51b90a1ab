import { createHmac, hash, timingSafeEqual } from 'node:crypto';
import { errors } from '../http/api-error';

const MAX_CURSOR_LENGTH = 1024;
const MAC_BYTES = 16;

/** What a cursor carries: a version, the position, and the fingerprint of its filters. */
interface CursorPayload {
  v: 1;
  /** Position: the sort key and id of the last row (lists) or the feed position (changes). */
  k: Array<string | number>;
  /** Fingerprint of the filters (and order) the cursor was issued for. */
  f: string;
  /** Extra state that rides along (the changes feed's `from`). */
  x?: string;
}

/** A stable hash of the filters a page was requested with. */
export function fingerprintOf(filters: object): string {
  const entries = filters as Record<string, unknown>;
  const canonical = Object.keys(entries)
    .sort()
    .filter((key) => entries[key] !== undefined)
    .map((key) => {
      const value = entries[key];
      const normalised = Array.isArray(value) ? [...value].sort() : value instanceof Date ? value.toISOString() : value;
      return [key, normalised];
    });
  return hash('sha256', JSON.stringify(canonical), 'base64url').slice(0, 16);
}

/**
 * Opaque, tamper-proof cursors: base64url JSON plus an HMAC over it and the tenant id. A
 * cursor edited by hand, issued to another tenant, or replayed with other filters is
 * rejected with INVALID_CURSOR. Cursors never expire: the signing key is kept in the
 * database, the same for every instance and across restarts.
 */
export class CursorCodec {
  constructor(private readonly secret: string) {}

  encode(tenantId: string, fingerprint: string, position: Array<string | number>, extra?: string): string {
    const payload: CursorPayload = { v: 1, k: position, f: fingerprint, ...(extra !== undefined ? { x: extra } : {}) };
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `${body}.${this.#mac(tenantId, body).toString('base64url')}`;
  }

  /** The position and extra state of a cursor, or INVALID_CURSOR. */
  decode(cursor: string, tenantId: string, fingerprint: string): { position: Array<string | number>; extra?: string } {
    const altered = () =>
      errors.invalidCursor('The cursor is malformed or was altered. Send nextCursor exactly as it was returned.');
    if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH) throw altered();
    const [body, mac, ...rest] = cursor.split('.');
    if (!body || !mac || rest.length > 0) throw altered();
    const expected = this.#mac(tenantId, body);
    const given = Buffer.from(mac, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw altered();
    let payload: CursorPayload;
    try {
      payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as CursorPayload;
    } catch {
      throw altered();
    }
    if (payload.v !== 1 || !Array.isArray(payload.k)) throw altered();
    if (payload.f !== fingerprint) {
      throw errors.invalidCursor(
        'The cursor was issued by another endpoint or for different filters. Send it to the endpoint that returned it, with the same filters (and order).',
      );
    }
    return { position: payload.k, ...(payload.x !== undefined ? { extra: payload.x } : {}) };
  }

  #mac(tenantId: string, body: string): Buffer {
    return createHmac('sha256', this.secret).update(tenantId).update('\0').update(body).digest().subarray(0, MAC_BYTES);
  }
}
