import net from 'node:net';

/**
 * What the proxy does with one incoming connection:
 * - `destroy`: reads the request, then drops the connection without a byte of answer;
 * - `hang`: reads the request and never answers;
 * - `cut-response`: forwards, but drops the connection after the first bytes of the answer;
 * - `respond-503`: answers 503 SERVICE_UNAVAILABLE itself (the API's envelope), then closes;
 * - `forward`: a plain TCP relay to the server.
 */
export type ConnectionFate = 'destroy' | 'hang' | 'cut-response' | 'respond-503' | 'forward';

export interface FlakyProxy {
  /** The proxy's origin, to use as the client's baseUrl. */
  url: string;
  /** The fate of every connection so far, in order. */
  connections: ConnectionFate[];
  close(): Promise<void>;
}

/** A TCP proxy in front of `target` that decides each connection's fate by its index (0-based). */
export async function startFlakyProxy(target: string, fate: (index: number) => ConnectionFate): Promise<FlakyProxy> {
  const { hostname, port } = new URL(target);
  const connections: ConnectionFate[] = [];
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => undefined);
    const decided = fate(connections.length);
    connections.push(decided);
    switch (decided) {
      case 'destroy':
        client.once('data', () => client.destroy());
        return;
      case 'hang':
        client.resume();
        return;
      case 'respond-503':
        client.once('data', () => {
          const body = JSON.stringify({
            error: {
              code: 'SERVICE_UNAVAILABLE',
              message: 'The service is temporarily unavailable.',
              requestId: 'proxy-503',
            },
          });
          client.end(
            `HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nx-request-id: proxy-503\r\nconnection: close\r\n\r\n${body}`,
          );
        });
        return;
      case 'cut-response':
      case 'forward': {
        const upstream = net.connect({ host: hostname, port: Number(port) });
        open.add(upstream);
        upstream.on('close', () => open.delete(upstream));
        upstream.on('error', () => client.destroy());
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
        client.pipe(upstream);
        if (decided === 'forward') {
          upstream.pipe(client);
        } else {
          upstream.once('data', (chunk: Buffer) => {
            // Headers and a little of the body, then the line goes dead.
            client.write(chunk.subarray(0, Math.min(chunk.length, Math.max(200, Math.floor(chunk.length / 2)))), () => {
              client.destroy();
              upstream.destroy();
            });
          });
        }
        return;
      }
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    connections,
    close: async () => {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
