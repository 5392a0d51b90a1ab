import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * What goes wrong after the first `after` requests have been passed through:
 * - `down`: the API becomes unreachable — the request is cut off and the port closes, so
 *   every later connection is refused;
 * - `error500`: every later request answers `500 INTERNAL` (with `Retry-After: 1`, so that
 *   curl's `--retry` gives up within seconds rather than minutes).
 */
export type Fault = { after: number; mode: 'down' | 'error500' };

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: use it in place of the API's origin. */
  origin: string;
  /** Requests received so far, passed through or failed. */
  readonly requests: number;
  close(): Promise<void>;
}

/**
 * A real HTTP proxy on loopback in front of the live API server, which passes requests
 * through until it is told to fail — the API as a client sees it on a bad day.
 */
export async function startFaultProxy(target: string, fault: Fault): Promise<FaultProxy> {
  const sockets = new Set<Socket>();
  let requests = 0;
  let closed = false;

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests += 1;
    if (requests > fault.after) {
      if (fault.mode === 'error500') {
        res
          .writeHead(500, { 'Content-Type': 'application/json', 'Retry-After': '1' })
          .end(JSON.stringify({ error: { code: 'INTERNAL', message: 'Injected by the test proxy.', requestId: `fault-${requests}` } }));
        return;
      }
      shutDown();
      return;
    }
    const upstream = request(new URL(req.url ?? '/', target), { method: req.method, headers: { ...req.headers, host: new URL(target).host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', (err) => res.destroy(err));
    req.pipe(upstream);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  function shutDown(): void {
    if (closed) return;
    closed = true;
    server.close();
    for (const socket of sockets) socket.destroy();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (closed) return resolve();
        shutDown();
        server.once('close', () => resolve());
      }),
  };
}
