import { createServer, type Server, type Socket } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketHandler } from '@electric-sql/pglite-socket';
import type { SessionGate } from './session-gate';

const PROTOCOL_V3 = 196608;
/** Messages after which the client is waiting for the server: a unit of work may end there. */
const UNIT_ENDS = new Set(['S', 'Q', 'X', 'p']);

function endsUnit(message: Uint8Array): boolean {
  if (message.length >= 8) {
    const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
    if (view.getInt32(4) === PROTOCOL_V3) return true; // startup message
  }
  return UNIT_ENDS.has(String.fromCharCode(message[0] ?? 0));
}

/**
 * The queue pglite-socket's handlers talk to, replaced so that socket clients share the
 * session gate with the in-process server: a client takes the session for one unit of work
 * (up to a Sync or a simple Query) or, inside a transaction, until the transaction ends.
 */
class GatedQueryQueue {
  readonly #holders = new Map<number, () => void>();
  readonly #detached = new Set<number>();

  constructor(
    private readonly pglite: PGlite,
    private readonly gate: SessionGate,
  ) {}

  async enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    if (!this.#holders.has(handlerId)) {
      const release = await this.gate.acquire();
      if (this.#detached.has(handlerId)) {
        release();
        throw new Error('Handler disconnected');
      }
      this.#holders.set(handlerId, release);
    }
    let bytes = 0;
    try {
      await this.pglite.execProtocolRawStream(message, {
        onRawData: (data: Uint8Array) => {
          bytes += data.length;
          onData(data);
        },
      });
    } finally {
      if (endsUnit(message) && !this.pglite.isInTransaction()) this.#releaseFor(handlerId);
    }
    return bytes;
  }

  clearQueueForHandler(handlerId: number): void {
    this.#detached.add(handlerId);
  }

  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (!this.#holders.has(handlerId)) return;
    try {
      if (this.pglite.isInTransaction()) await this.pglite.exec('ROLLBACK');
    } finally {
      this.#releaseFor(handlerId);
    }
  }

  getQueueLength(): number {
    return 0;
  }

  #releaseFor(handlerId: number): void {
    const release = this.#holders.get(handlerId);
    this.#holders.delete(handlerId);
    release?.();
  }
}

export interface EmbeddedSocketServer {
  close(): Promise<void>;
}

/**
 * Serves the embedded database over the PostgreSQL wire protocol on a Unix socket (or a
 * loopback port), so that `pnpm admin` can work against the same data while the server runs.
 */
export async function startEmbeddedSocketServer(
  pglite: PGlite,
  gate: SessionGate,
  listen: { path: string } | { host: string; port: number },
): Promise<EmbeddedSocketServer & { address: { path: string } | { host: string; port: number } }> {
  const queue = new GatedQueryQueue(pglite, gate);
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // The handler's queue is typed as its own class; ours has the same methods.
    const handler = new PGLiteSocketHandler({
      queryQueue: queue as unknown as ConstructorParameters<typeof PGLiteSocketHandler>[0]['queryQueue'],
      closeOnDetach: true,
    });
    handler.attach(socket).catch(() => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if ('path' in listen) server.listen(listen.path, resolve);
    else server.listen(listen.port, listen.host, resolve);
  });
  const bound = server.address();
  const address =
    'path' in listen
      ? listen
      : { host: listen.host, port: typeof bound === 'object' && bound ? bound.port : listen.port };
  return {
    address,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
