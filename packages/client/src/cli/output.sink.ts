import type { Severity } from '@1security/contract';
import dgram from 'node:dgram';
import { constants as fsConstants, open as openFd } from 'node:fs';
import { open, readFile, stat, truncate } from 'node:fs/promises';
import net from 'node:net';
import tls from 'node:tls';
import { formatSyslogMessage, octetCountedFrame, syslogHostname } from './syslog.framing';
import type { ResourceName } from './resource.registry';

/** One formatted item and what its syslog header needs. */
export interface OutputRecord {
  resource: ResourceName;
  severity: Severity;
  /** The event's own time, the syslog TIMESTAMP. */
  timestamp: string;
  /** The item in the chosen format, one line, no line break. */
  line: string;
}

/** Where batches go. `deliver` resolves only once the batch has reached the output (see each kind). */
export interface OutputSink {
  /** For messages: `stdout`, a path, `syslog+tcp://host:port`. */
  readonly description: string;
  /**
   * `signal` is honoured only where a write can wait without end (a FIFO nobody reads):
   * there an abort rejects with its reason, and the batch stays unconfirmed.
   */
  deliver(records: readonly OutputRecord[], signal?: AbortSignal): Promise<void>;
}

/** An output error that waiting cannot cure (a directory, a missing folder, no permission): not retried. */
export class PermanentOutputError extends Error {
  override readonly name = 'PermanentOutputError';
}

const PERMANENT_FILE_ERRORS = new Set([
  'EISDIR',
  'ENOENT',
  'ENOTDIR',
  'EACCES',
  'EPERM',
  'EROFS',
  'ELOOP',
  'ENAMETOOLONG',
]);

/** File errors that no retry can cure become {@link PermanentOutputError}s naming the path. */
function fileError(path: string, err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === undefined || !PERMANENT_FILE_ERRORS.has(code)) return err;
  const why =
    code === 'ENOENT'
      ? 'its folder does not exist (onesec does not create folders)'
      : code === 'EISDIR'
        ? 'it is a directory'
        : code === 'ENOTDIR'
          ? 'a part of the path is not a folder'
          : code === 'EROFS'
            ? 'the file system is read-only'
            : code === 'EACCES' || code === 'EPERM'
              ? 'permission denied'
              : 'the path cannot be resolved';
  return new PermanentOutputError(`cannot write ${JSON.stringify(path)}: ${why} (${code})`);
}

export type OutputTarget =
  | { kind: 'stdout' }
  | { kind: 'file'; path: string }
  | { kind: 'syslog'; transport: 'tcp' | 'tls' | 'udp'; host: string; port: number };

/** Thrown for an output given on the command line that cannot be one. */
export class OutputUsageError extends Error {
  override readonly name = 'OutputUsageError';
}

/** `stdout`, `-`, `syslog+tcp://HOST:PORT`, `syslog+tls://HOST:PORT`, `syslog+udp://HOST:PORT`, or a file path. */
export function parseOutputTarget(value: string): OutputTarget {
  if (value === 'stdout' || value === '-') return { kind: 'stdout' };
  const match = /^syslog\+(tcp|tls|udp):\/\/(.*)$/i.exec(value);
  if (!match) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
      throw new OutputUsageError(
        `--output ${JSON.stringify(value)} is not a known output: use stdout, a file path, syslog+tcp://HOST:PORT, syslog+tls://HOST:PORT or syslog+udp://HOST:PORT.`,
      );
    }
    return { kind: 'file', path: value };
  }
  let url: URL;
  try {
    url = new URL(`syslog://${match[2]}`);
  } catch {
    throw new OutputUsageError(`--output ${JSON.stringify(value)}: ${JSON.stringify(match[2])} is not HOST:PORT.`);
  }
  const port = Number(url.port);
  if (
    !url.hostname ||
    !url.port ||
    !Number.isInteger(port) ||
    port < 1 ||
    port > 65535 ||
    (url.pathname !== '' && url.pathname !== '/')
  ) {
    throw new OutputUsageError(`--output ${JSON.stringify(value)}: expected HOST:PORT with a port from 1 to 65535.`);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { kind: 'syslog', transport: match[1]!.toLowerCase() as 'tcp' | 'tls' | 'udp', host, port };
}

export interface TlsFiles {
  ca?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
}

export interface OutputOptions {
  tls?: TlsFiles;
  /** `truncate` starts a new file (export); `append` adds to it (sync). */
  fileMode?: 'append' | 'truncate';
  /** Idle time limit of a syslog connection. */
  timeoutMs?: number;
}

function lines(records: readonly OutputRecord[]): string {
  return records.map((r) => `${r.line}\n`).join('');
}

/** Stdout: reached once Node handed every byte to the pipe or terminal. */
class StdoutSink implements OutputSink {
  readonly description = 'stdout';
  deliver(records: readonly OutputRecord[]): Promise<void> {
    return new Promise((resolve, reject) => {
      process.stdout.write(lines(records), (err) => (err ? reject(err) : resolve()));
    });
  }
}

/**
 * A file: reached once written and flushed to disk (fsync). Opened per batch, so a log
 * rotation by rename starts a new file. A failed write is cut back, so a reader never sees
 * half a line. A character device (/dev/null, a terminal) is written without fsync or cut;
 * a FIFO goes to {@link FifoWriter}.
 */
class FileSink implements OutputSink {
  readonly description: string;
  #truncateFirst: boolean;
  #fifo: FifoWriter | undefined;
  constructor(
    private readonly path: string,
    mode: 'append' | 'truncate',
  ) {
    this.description = path;
    this.#truncateFirst = mode === 'truncate';
  }
  async deliver(records: readonly OutputRecord[], signal?: AbortSignal): Promise<void> {
    try {
      const existing = await stat(this.path).catch(() => undefined);
      if (existing?.isFIFO()) {
        this.#fifo ??= new FifoWriter(this.path);
        return await this.#fifo.write(lines(records), signal);
      }
      await this.#deliverToFile(records);
    } catch (err) {
      throw fileError(this.path, err);
    }
  }
  async #deliverToFile(records: readonly OutputRecord[]): Promise<void> {
    const handle = await open(this.path, this.#truncateFirst ? 'w' : 'a', 0o640);
    this.#truncateFirst = false;
    try {
      const info = await handle.stat();
      const regular = info.isFile();
      try {
        await handle.writeFile(lines(records), 'utf8');
        // fsync means nothing on a device (EINVAL on /dev/null).
        if (regular) await handle.sync();
      } catch (err) {
        if (regular) await truncate(this.path, info.size).catch(() => undefined);
        throw err;
      }
    } finally {
      await handle.close();
    }
  }
}

/**
 * A FIFO (named pipe): opened once and kept open, since a reader such as `cat fifo` ends at
 * the first close. Opened non-blocking, so with no reader the open fails at once (ENXIO)
 * instead of hanging; the writes then go through a libuv pipe, which waits for a slow reader
 * without blocking the process. A batch is reached once the kernel took every byte. A reader
 * that has gone (EPIPE) drops the pipe; the next attempt opens it again.
 */
class FifoWriter {
  #socket: net.Socket | undefined;
  constructor(private readonly path: string) {}

  async write(text: string, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (!this.#socket || this.#socket.destroyed) {
      let fd: number;
      try {
        // A raw descriptor, not a FileHandle: the socket owns and closes it.
        fd = await new Promise<number>((resolve, reject) =>
          openFd(this.path, fsConstants.O_WRONLY | fsConstants.O_NONBLOCK, (err, opened) =>
            err ? reject(err) : resolve(opened),
          ),
        );
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENXIO') {
          throw new Error(`no process is reading the FIFO ${this.path} (ENXIO)`);
        }
        throw err;
      }
      const socket = new net.Socket({ fd, readable: false, writable: true });
      socket.on('error', () => socket.destroy());
      this.#socket = socket;
    }
    const socket = this.#socket;
    socket.ref();
    try {
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          socket.destroy();
          reject(signal!.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        socket.write(text, 'utf8', (err) => {
          signal?.removeEventListener('abort', onAbort);
          if (err) {
            socket.destroy();
            reject(err);
          } else resolve();
        });
      });
    } finally {
      // Kept open between batches without holding the process alive.
      socket.unref();
    }
  }
}

function syslogMessages(records: readonly OutputRecord[], hostname: string): string[] {
  return records.map((r) =>
    formatSyslogMessage(
      { severity: r.severity, timestamp: r.timestamp, hostname, procId: process.pid, msgId: r.resource },
      r.line,
    ),
  );
}

/**
 * Syslog over TCP or TLS, octet-counted. Each batch gets its own connection: the frames are
 * written, then our side is closed, and the batch counts as reached only when the receiver
 * closes its side in answer. A receiver closes after reading everything we sent; one that
 * dies or resets first makes the batch fail and be sent again. (Plain syslog has no
 * acknowledgements; this is the strongest confirmation it offers without RELP.)
 */
class SyslogStreamSink implements OutputSink {
  readonly description: string;
  readonly #hostname = syslogHostname();
  #tlsMaterial: Promise<{ ca?: Buffer; cert?: Buffer; key?: Buffer }> | undefined;
  /** Whether a batch already went through: the receiver accepts this client. */
  #acceptedOnce = false;

  constructor(
    private readonly target: Extract<OutputTarget, { kind: 'syslog' }>,
    private readonly options: OutputOptions,
  ) {
    this.description = `syslog+${target.transport}://${net.isIPv6(target.host) ? `[${target.host}]` : target.host}:${target.port}`;
  }

  async #connect(): Promise<net.Socket> {
    const { host, port } = this.target;
    if (this.target.transport === 'tcp') return net.connect({ host, port });
    this.#tlsMaterial ??= (async () => {
      const files = this.options.tls ?? {};
      return {
        ...(files.ca ? { ca: await readFile(files.ca) } : {}),
        ...(files.cert ? { cert: await readFile(files.cert) } : {}),
        ...(files.key ? { key: await readFile(files.key) } : {}),
      };
    })();
    const material = await this.#tlsMaterial;
    return tls.connect({
      host,
      port,
      ...material,
      ...(net.isIP(host) ? {} : { servername: host }),
      rejectUnauthorized: true,
    });
  }

  async deliver(records: readonly OutputRecord[]): Promise<void> {
    const payload = Buffer.concat(syslogMessages(records, this.#hostname).map(octetCountedFrame));
    const socket = await this.#connect();
    const timeoutMs = this.options.timeoutMs ?? 30_000;
    const connectEvent = this.target.transport === 'tls' ? 'secureConnect' : 'connect';
    await new Promise<void>((resolve, reject) => {
      let peerClosed = false;
      let sent = false;
      let guarding = false;
      let failure: Error | undefined;
      socket.setTimeout(timeoutMs, () =>
        socket.destroy(new Error(`no answer from ${this.description} for ${timeoutMs} ms`)),
      );
      const started = Date.now();
      socket.once(connectEvent, () => {
        if (this.target.transport !== 'tls' || this.#acceptedOnce) {
          socket.end(payload);
          return;
        }
        // A TLS receiver may refuse a client only after the handshake (rsyslog does, when a
        // required client certificate is missing), and then closes as it would after a
        // delivered batch. Until one batch went through, wait a moment for such a refusal
        // before sending: three handshake times, at least 250 ms, at most 2 s.
        const guardMs = Math.min(2000, Math.max(250, 3 * (Date.now() - started)));
        guarding = true;
        setTimeout(() => {
          guarding = false;
          if (!socket.destroyed && !failure) socket.end(payload);
        }, guardMs).unref();
      });
      socket.on('data', () => undefined);
      socket.on('finish', () => (sent = true));
      // A receiver that closes before our last byte left (one refusing us after the TLS
      // handshake, say) has not read the batch.
      socket.on('end', () => {
        if (sent) peerClosed = true;
        else if (guarding) {
          failure ??= new Error(
            `${this.description} closed the connection right after the TLS handshake: it refused this client (does it require a client certificate, --cert and --key?)`,
          );
        } else failure ??= new Error(`${this.description} closed the connection before the batch was sent`);
      });
      socket.on('error', (err) => (failure ??= err));
      socket.on('close', () => {
        if (failure) reject(failure);
        else if (peerClosed) {
          this.#acceptedOnce = true;
          resolve();
        } else reject(new Error(`${this.description} closed the connection before confirming the batch`));
      });
    });
  }
}

/**
 * Syslog over UDP: one datagram per message, reached once the kernel took every datagram.
 * UDP has no delivery guarantee at all; `onesec` warns when it is chosen.
 */
class SyslogUdpSink implements OutputSink {
  readonly description: string;
  readonly #hostname = syslogHostname();
  constructor(private readonly target: Extract<OutputTarget, { kind: 'syslog' }>) {
    this.description = `syslog+udp://${net.isIPv6(target.host) ? `[${target.host}]` : target.host}:${target.port}`;
  }
  async deliver(records: readonly OutputRecord[]): Promise<void> {
    const socket = dgram.createSocket(net.isIPv6(this.target.host) ? 'udp6' : 'udp4');
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.connect(this.target.port, this.target.host, () => {
          socket.off('error', reject);
          resolve();
        });
      });
      for (const message of syslogMessages(records, this.#hostname)) {
        await new Promise<void>((resolve, reject) =>
          socket.send(Buffer.from(message, 'utf8'), (err) => (err ? reject(err) : resolve())),
        );
      }
    } finally {
      socket.close();
    }
  }
}

export function createOutputSink(target: OutputTarget, options: OutputOptions = {}): OutputSink {
  switch (target.kind) {
    case 'stdout':
      return new StdoutSink();
    case 'file':
      return new FileSink(target.path, options.fileMode ?? 'append');
    case 'syslog':
      return target.transport === 'udp' ? new SyslogUdpSink(target) : new SyslogStreamSink(target, options);
  }
}
