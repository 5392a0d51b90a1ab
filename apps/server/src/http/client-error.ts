import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../logger';
import { errors } from './api-error';
import { WELL_FORMED_REQUEST_ID } from './request-id';

/**
 * Requests that Node's HTTP parser refuses never reach Express: unencoded non-ASCII bytes in the
 * URL, a request line and headers over Node's 16 KB limit, broken framing. Node's own answer is
 * a bare `400 Bad Request` with no body and no X-Request-Id; this answers with the error
 * envelope like every other response (400 VALIDATION_ERROR, a fresh request id), then closes.
 */
/** The X-Request-Id of the refused request when the parser got that far and it is well-formed. */
function inboundRequestId(err: NodeJS.ErrnoException & { rawPacket?: Buffer }): string | undefined {
  if (!Buffer.isBuffer(err.rawPacket)) return undefined;
  const head = err.rawPacket.toString('latin1');
  const found = [...head.matchAll(/\r\nx-request-id:[ \t]*([^\r\n]*?)[ \t]*(?=\r\n)/gi)];
  const value = found.length === 1 ? found[0]![1]! : '';
  return WELL_FORMED_REQUEST_ID.test(value) ? value : undefined;
}

export function answerMalformedRequest(logger: Logger, responding: (socket: Socket) => boolean) {
  return (err: NodeJS.ErrnoException, socket: Duplex): void => {
    // Gone, or in the middle of writing a response (pipelining): nothing sane can be written.
    if (err.code === 'ECONNRESET' || !socket.writable || responding(socket as Socket)) {
      socket.destroy();
      return;
    }
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      socket.end('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n');
      return;
    }
    const requestId = inboundRequestId(err) ?? randomUUID();
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    const message = tooLarge
      ? 'is too large: the request line and headers must fit in 16 KB'
      : 'is not valid HTTP/1.1 (for example, non-ASCII bytes in the URL must be percent-encoded)';
    const body = JSON.stringify(errors.validation([{ parameter: 'request', message }]).toEnvelope(requestId));
    logger.info({ reqId: requestId, reason: err.code }, 'malformed request refused');
    socket.end(
      'HTTP/1.1 400 Bad Request\r\n' +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${requestId}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  };
}
