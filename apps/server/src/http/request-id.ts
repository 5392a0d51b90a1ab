import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** A UUID, or up to 128 URL-safe characters: anything else inbound is replaced. */
export const WELL_FORMED_REQUEST_ID = /^[A-Za-z0-9._~-]{1,128}$/;

/** The request's id: the caller's X-Request-Id when well-formed, else a fresh UUID. */
export function requestIdFor(req: IncomingMessage): string {
  const inbound = req.headers['x-request-id'];
  return typeof inbound === 'string' && WELL_FORMED_REQUEST_ID.test(inbound) ? inbound : randomUUID();
}
