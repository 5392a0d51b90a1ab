import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import serverPackage from '../../package.json' with { type: 'json' };
import type { CheckedDestination } from './webhook-address';

export const WEBHOOK_USER_AGENT = `1Security-Webhooks/${serverPackage.version}`;

/** At most this much of a response body is read, and kept in the delivery log. */
export const RESPONSE_SNIPPET_BYTES = 4096;

/** The outcome of one POST: a status code, or the error that stopped it. */
export interface SendOutcome {
  statusCode: number | null;
  error: string | null;
  responseSnippet: string | null;
  durationMs: number;
}

/**
 * POSTs one message to the checked address, with the URL's host name as Host and TLS server
 * name. Redirects are not followed (a 3xx is a failed attempt); `timeoutMs` bounds connect and
 * response together; at most 4 KB of the response body is read.
 */
export function postMessage(
  destination: CheckedDestination,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<SendOutcome> {
  const started = performance.now();
  const { url, address, family } = destination;
  // Every lookup the connection makes returns the address that was checked.
  const pinned: LookupFunction = (_hostname, options, callback) => {
    if ((options as { all?: boolean }).all) (callback as (e: null, a: unknown[]) => void)(null, [{ address, family }]);
    else (callback as (e: null, a: string, f: number) => void)(null, address, family);
  };
  return new Promise<SendOutcome>((resolve) => {
    let settled = false;
    const finish = (outcome: Omit<SendOutcome, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...outcome, durationMs: Math.round(performance.now() - started) });
    };
    const request = (url.protocol === 'https:' ? https : http).request(
      {
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        agent: false,
        lookup: pinned,
        servername: url.hostname.replace(/^\[(.*)\]$/, '$1'),
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': WEBHOOK_USER_AGENT,
          connection: 'close',
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const done = () => {
          const snippet = Buffer.concat(chunks).subarray(0, RESPONSE_SNIPPET_BYTES).toString('utf8');
          finish({ statusCode: response.statusCode ?? null, error: null, responseSnippet: snippet || null });
          response.destroy();
        };
        response.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          if (size >= RESPONSE_SNIPPET_BYTES) done();
        });
        response.on('end', done);
        response.on('error', (err) => finish({ statusCode: null, error: describe(err), responseSnippet: null }));
        response.on('close', () => {
          if (response.complete || size >= RESPONSE_SNIPPET_BYTES) done();
          else
            finish({ statusCode: null, error: 'connection closed before the response ended', responseSnippet: null });
        });
      },
    );
    const timer = setTimeout(() => {
      finish({ statusCode: null, error: `timed out after ${timeoutMs} ms`, responseSnippet: null });
      request.destroy();
    }, timeoutMs);
    request.on('error', (err) => finish({ statusCode: null, error: describe(err), responseSnippet: null }));
    request.end(body);
  });
}

function describe(err: Error): string {
  const code = (err as { code?: string }).code;
  return code ? `${code}: ${err.message}`.slice(0, 500) : err.message.slice(0, 500);
}
