import net from 'node:net';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useLeanJson } from './lean-json';

/** The raw bytes of one response: what a client actually receives, body included for HEAD. */
function rawExchange(port: number, method: string, path: string): Promise<{ head: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(`${method} ${path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n`);
    });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      resolve({ head: all.subarray(0, split).toString('latin1'), body: all.subarray(split + 4) });
    });
  });
}

const header = (head: string, name: string) => new RegExp(`^${name}: (.*)$`, 'im').exec(head)?.[1];

describe('useLeanJson', () => {
  const payload = { data: [{ actorName: 'Zoë 🙂 Åström', n: 1 }] };
  let server: ReturnType<ReturnType<typeof express>['listen']>;
  let port: number;

  beforeAll(async () => {
    const app = express();
    useLeanJson(app);
    app.get('/json', (_req, res) => {
      res.json(payload);
    });
    app.get('/typed', (_req, res) => {
      res.type('application/problem+json').json({ ok: true });
    });
    app.get('/empty', (_req, res) => {
      res.status(204).json({ ignored: true });
    });
    await new Promise<void>((resolve) => {
      server = app.listen(0, '127.0.0.1', () => resolve());
    });
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends the JSON with its length in bytes, not characters', async () => {
    const { head, body } = await rawExchange(port, 'GET', '/json');
    expect(head).toMatch(/^HTTP\/1.1 200/);
    expect(header(head, 'Content-Type')).toBe('application/json; charset=utf-8');
    expect(Number(header(head, 'Content-Length'))).toBe(body.length);
    expect(body.length).toBeGreaterThan(JSON.stringify(payload).length);
    expect(JSON.parse(body.toString('utf8'))).toEqual(payload);
  });

  it('answers HEAD with the same headers as GET and no body on the wire', async () => {
    const get = await rawExchange(port, 'GET', '/json');
    const head = await rawExchange(port, 'HEAD', '/json');
    expect(head.head).toMatch(/^HTTP\/1.1 200/);
    expect(header(head.head, 'Content-Length')).toBe(header(get.head, 'Content-Length'));
    expect(header(head.head, 'Content-Type')).toBe(header(get.head, 'Content-Type'));
    expect(head.body.length).toBe(0);
  });

  it('keeps a content type the handler set', async () => {
    const { head } = await rawExchange(port, 'GET', '/typed');
    expect(header(head, 'Content-Type')).toMatch(/^application\/problem\+json/);
  });

  it('sends neither a body nor body headers with a 204', async () => {
    const { head, body } = await rawExchange(port, 'GET', '/empty');
    expect(head).toMatch(/^HTTP\/1.1 204/);
    expect(header(head, 'Content-Length')).toBeUndefined();
    expect(header(head, 'Content-Type')).toBeUndefined();
    expect(body.length).toBe(0);
  });
});
