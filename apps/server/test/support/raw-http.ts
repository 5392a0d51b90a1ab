import http from 'node:http';

/**
 * Requests sent as bytes, not through a URL parser: `fetch` would normalise, re-encode or refuse
 * much of what a hostile client can put on the wire. node:http sends the path and header values
 * as given (Latin-1 bytes 0x21-0xFF in the path; header values without control characters), so
 * raw UTF-8, broken percent-escapes and duplicated headers reach the server as they are.
 */

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export function rawRequest(
  origin: string,
  rawPath: string,
  headers: Record<string, string | string[]>,
  agent: http.Agent,
  method = 'GET',
): Promise<RawResponse> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, path: rawPath, method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The UTF-8 bytes of `text` as a Latin-1 string: node:http writes each as one raw byte. */
export function rawUtf8(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** Every byte but the unreserved ones as %XX, as a strict client would send it. */
export function percentEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += UNRESERVED.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Raw UTF-8 bytes, escaping only what node:http cannot put in a request line (space and controls). */
export function rawPathText(text: string): string {
  let out = '';
  for (const char of rawUtf8(text))
    out += char.charCodeAt(0) <= 0x20 ? `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}` : char;
  return out;
}

/** A header value node:http will send: raw UTF-8 bytes, control characters (bar tab) and DEL dropped. */
export function rawHeaderText(text: string): string {
  let out = '';
  for (const char of rawUtf8(text)) {
    const code = char.charCodeAt(0);
    if (code === 0x09 || (code >= 0x20 && code !== 0x7f)) out += char;
  }
  return out;
}
