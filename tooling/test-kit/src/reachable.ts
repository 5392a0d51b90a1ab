import net from 'node:net';

const DEFAULT_PORTS: Record<string, number> = { 'postgres:': 5432, 'postgresql:': 5432, 'redis:': 6379 };

/**
 * True when something accepts TCP connections at the URL's host and port (or its scheme's
 * default port) within a second: whether a service the tests need runs on this machine.
 */
export function reachable(url: string): Promise<boolean> {
  const { hostname, port: given, protocol } = new URL(url);
  const port = Number(given) || DEFAULT_PORTS[protocol] || 80;
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.setTimeout(1_000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', () => resolve(false));
  });
}
