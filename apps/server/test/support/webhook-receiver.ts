import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** A message the receiver accepted: verified with the official `standardwebhooks` package, answered 2xx. */
export interface ReceivedMessage {
  id: string;
  timestamp: string;
  signature: string;
  userAgent: string | undefined;
  raw: string;
  body: { type: string; timestamp: string; data: Array<Record<string, unknown> & { id?: string }> };
}

/** How the receiver answers the next request: 2xx, a status, hang past the timeout, or reset the connection. */
export type Answer = 'ok' | 'hang' | 'reset' | number;

/**
 * A webhook receiver on loopback, as a customer would write one: it verifies every message
 * with the official `standardwebhooks` package (never the server's code) and answers 204
 * only to verified ones. `answer` decides each reply, for fault tests.
 */
export class WebhookReceiver {
  readonly accepted: ReceivedMessage[] = [];
  /** Every request: its webhook-id and how it was answered. */
  readonly requests: Array<{ id: string; answer: Answer | 'unverified' }> = [];
  readonly verifyFailures: string[] = [];
  connections = 0;
  inFlight = 0;
  maxInFlight = 0;
  answer: (id: string, n: number) => Answer = () => 'ok';
  /** How long a successful answer takes (to make overlapping deliveries visible). */
  delayMs = 0;
  secrets: string[] = [];
  #server: http.Server;
  #sockets = new Set<Socket>();
  #port = 0;

  private constructor() {
    this.#server = http.createServer((req, res) => void this.#handle(req, res));
    this.#server.on('connection', (socket) => {
      this.connections++;
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
  }

  static async start(port = 0): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver();
    await receiver.listen(port);
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}/hooks/1security`;
  }

  async listen(port = this.#port): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, '127.0.0.1', () => resolve());
    });
    this.#port = (this.#server.address() as AddressInfo).port;
  }

  /** Goes down: stops listening and drops every connection (refused connections until `listen`). */
  async down(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }

  async close(): Promise<void> {
    if (this.#server.listening) await this.down();
  }

  /** Accepted messages, each webhook-id once (a receiver de-duplicates on it). */
  unique(): ReceivedMessage[] {
    const seen = new Set<string>();
    return this.accepted.filter((m) => (seen.has(m.id) ? false : (seen.add(m.id), true)));
  }

  /** The ids of the items received, in order, after de-duplicating messages on webhook-id. */
  itemIds(type?: string): string[] {
    return this.unique()
      .filter((m) => type === undefined || m.body.type === type)
      .flatMap((m) => m.body.data.map((item) => String(item.id)));
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const id = String(req.headers['webhook-id'] ?? '');
    const headers = {
      'webhook-id': id,
      'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''),
      'webhook-signature': String(req.headers['webhook-signature'] ?? ''),
    };
    if (this.secrets.length === 0) {
      // Not configured yet (the secret is printed after the endpoint exists): try again later.
      this.requests.push({ id, answer: 503 });
      res.writeHead(503).end('not configured yet');
      return;
    }
    const verified = this.secrets.some((secret) => {
      try {
        new Webhook(secret).verify(raw, headers);
        return true;
      } catch {
        return false;
      }
    });
    if (!verified) {
      this.verifyFailures.push(id);
      this.requests.push({ id, answer: 'unverified' });
      res.writeHead(401).end('signature did not verify');
      return;
    }
    const answer = this.answer(id, this.requests.length);
    this.requests.push({ id, answer });
    if (answer === 'hang') return; // never answers; the sender's timeout ends it
    if (answer === 'reset') {
      req.socket.resetAndDestroy();
      return;
    }
    if (typeof answer === 'number') {
      res.writeHead(answer).end(`answered ${answer}`);
      return;
    }
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    this.inFlight--;
    this.accepted.push({
      id,
      timestamp: headers['webhook-timestamp'],
      signature: headers['webhook-signature'],
      userAgent: req.headers['user-agent'],
      raw,
      body: JSON.parse(raw) as ReceivedMessage['body'],
    });
    res.writeHead(204).end();
  }
}

/** Waits until `done()` holds (a guard against a hung test, not a timing assertion). */
export async function waitFor(
  done: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
