import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a receiver got. */
export interface ReceivedMessage {
  headers: IncomingHttpHeaders;
  body: string;
}

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>/hooks/1security`. */
  url: string;
  /** Every request so far, in arrival order. */
  readonly received: ReceivedMessage[];
  /** The status it answers with (200 until changed); the body says it: `receiver says 200`. */
  status: number;
  close(): Promise<void>;
}

/**
 * A webhook receiver on loopback that records every request as it came (headers, raw body)
 * and answers `status` with the body `receiver says <status>`: for the dashboard tests, which
 * verify what arrived themselves and check what the delivery log shows of the answer.
 * (`webhook-receiver.ts` is the verifying receiver of the delivery tests.)
 */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedMessage[] = [];
  const state = { status: 200 };
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(state.status, { 'content-type': 'text/plain' }).end(`receiver says ${state.status}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/1security`,
    received,
    get status() {
      return state.status;
    },
    set status(value: number) {
      state.status = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The three Standard Webhooks headers of a received request, as `standardwebhooks` wants them. */
export function standardWebhookHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  return {
    'webhook-id': String(headers['webhook-id']),
    'webhook-timestamp': String(headers['webhook-timestamp']),
    'webhook-signature': String(headers['webhook-signature']),
  };
}
