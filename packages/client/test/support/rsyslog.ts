import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Debian's rsyslogd (packages rsyslog + rsyslog-gnutls; .ci/run installs them). */
export const RSYSLOGD = ['/usr/sbin/rsyslogd', '/sbin/rsyslogd'].find((p) => existsSync(p)) ?? 'rsyslogd';

/** A free loopback TCP port (bound, read, released). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A CA, a server certificate for 127.0.0.1/localhost, and a client certificate, made with the openssl CLI. */
export interface TestCertificates {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A CA that signed nothing here: trusting only it must fail the handshake. */
  otherCa: string;
}

export async function makeCertificates(dir: string): Promise<TestCertificates> {
  await mkdir(dir, { recursive: true });
  const f = (name: string) => path.join(dir, name);
  const openssl = (args: string[]) => run('openssl', args, { cwd: dir });
  const newCa = async (name: string) => {
    await openssl([
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      f(`${name}-key.pem`),
      '-out',
      f(`${name}.pem`),
    ]);
  };
  await newCa('test-ca');
  await newCa('other-ca');
  const leaf = async (name: string, extensions: string) => {
    await openssl([
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      f(`${name}-key.pem`),
      '-out',
      f(`${name}.csr`),
    ]);
    await writeFile(f(`${name}.ext`), extensions);
    await openssl([
      'x509',
      '-req',
      '-in',
      f(`${name}.csr`),
      '-CA',
      f('test-ca.pem'),
      '-CAkey',
      f('test-ca-key.pem'),
      '-CAcreateserial',
      '-days',
      '2',
      '-out',
      f(`${name}.pem`),
      '-extfile',
      f(`${name}.ext`),
    ]);
  };
  await leaf('server', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  await leaf('client', 'extendedKeyUsage=clientAuth\n');
  return {
    ca: f('test-ca.pem'),
    serverCert: f('server.pem'),
    serverKey: f('server-key.pem'),
    clientCert: f('client.pem'),
    clientKey: f('client-key.pem'),
    otherCa: f('other-ca.pem'),
  };
}

export interface RsyslogOptions {
  /** Folder for its config, work files, and the received file. */
  dir: string;
  tcpPort: number;
  /** An imudp input, when given. */
  udpPort?: number;
  /** TLS inputs (gtls), server-authenticated only and requiring a client certificate. */
  tls?: { port: number; clientCertPort: number; certs: TestCertificates };
}

/** A running rsyslogd that writes every message it receives, exactly, one per line. */
export interface Rsyslog {
  /** Where each message lands: its raw text (the octet-counted frame's content), then a line break. */
  receivedFile: string;
  tcpPort: number;
  /** The received file's messages so far. */
  messages(): Promise<string[]>;
  stop(): Promise<void>;
  output(): string;
}

function config(options: RsyslogOptions, receivedFile: string): string {
  const tls = options.tls;
  const driver = (port: number, authMode: string) =>
    `input(type="imtcp" port="${port}" address="127.0.0.1" ruleset="received" name="tls-${authMode}" ` +
    `streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="${authMode}"` +
    (authMode === 'anon' ? '' : ` permittedPeer=["client"]`) +
    `)`;
  return `# written by the onesec tests
global(
  workDirectory="${path.join(options.dir, 'work')}"
  maxMessageSize="256k"
  parser.escapeControlCharactersOnReceive="off"
  ${
    tls
      ? `defaultNetstreamDriverCAFile="${tls.certs.ca}"
  defaultNetstreamDriverCertFile="${tls.certs.serverCert}"
  defaultNetstreamDriverKeyFile="${tls.certs.serverKey}"`
      : ''
  }
)
module(load="imtcp" maxSessions="500")
template(name="rawMessage" type="string" string="%rawmsg%\\n")
ruleset(name="received") {
  action(type="omfile" file="${receivedFile}" template="rawMessage" flushOnTXEnd="on" asyncWriting="off")
}
input(type="imtcp" port="${options.tcpPort}" address="127.0.0.1" ruleset="received" name="tcp")
${options.udpPort ? `module(load="imudp")\ninput(type="imudp" port="${options.udpPort}" address="127.0.0.1" ruleset="received" name="udp")` : ''}
${tls ? driver(tls.port, 'anon') : ''}
${tls ? driver(tls.clientCertPort, 'x509/name') : ''}
`;
}

async function waitForPort(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`rsyslogd exited (${child.exitCode}):\n${output()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`rsyslogd did not listen on ${port}:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts rsyslogd in the foreground with its own config; the received file keeps growing across restarts. */
export async function startRsyslog(options: RsyslogOptions): Promise<Rsyslog> {
  await mkdir(path.join(options.dir, 'work'), { recursive: true });
  const receivedFile = path.join(options.dir, 'received.log');
  const configFile = path.join(options.dir, 'rsyslog.conf');
  await writeFile(configFile, config(options, receivedFile));
  const child = spawn(RSYSLOGD, ['-n', '-f', configFile, '-i', path.join(options.dir, 'rsyslogd.pid')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitForPort(options.tcpPort, child, () => output);
  if (options.tls) {
    await waitForPort(options.tls.port, child, () => output);
    await waitForPort(options.tls.clientCertPort, child, () => output);
  }
  return {
    receivedFile,
    tcpPort: options.tcpPort,
    output: () => output,
    messages: async () => {
      const text = await readFile(receivedFile, 'utf8').catch(() => '');
      return text === '' ? [] : text.replace(/\n$/, '').split('\n');
    },
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
