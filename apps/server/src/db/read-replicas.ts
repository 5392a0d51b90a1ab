import { sql } from 'kysely';
import { isDatabaseUnavailable } from '../http/database-errors';
import type { Logger } from '../logger';
import type { Db } from './database';
import { openPostgres } from './postgres-pool';

/**
 * What a replica is doing, as `/readyz` (and the metrics) report it:
 * - `starting`: not measured yet; not used.
 * - `ok`: a hot standby within `REPLICA_MAX_LAG_MS` of the primary; reads go to it.
 * - `lagging`: further behind than that; skipped until it catches up.
 * - `down`: did not answer its probe, or a read on it failed; skipped until a probe succeeds.
 * - `not-a-standby`: answers but is not in recovery (not a streaming replica); never used.
 * - `unknown`: the primary did not answer, so the lag cannot be measured; skipped.
 */
export type ReplicaState = 'starting' | 'ok' | 'lagging' | 'down' | 'not-a-standby' | 'unknown';

export interface ReplicaStatus {
  /** `replica <n> (<host>:<port>/<database>)`: no user name, no password. */
  name: string;
  state: ReplicaState;
  /** Whether reads go to it now. */
  inUse: boolean;
  /**
   * How long ago the primary had WAL the replica has not replayed yet (0 when caught up), to
   * the probe interval's precision; null before the first measurement or when unreachable.
   */
  lagMs: number | null;
  /** Bytes of WAL the replica had still to replay at the last probe (0 when caught up). */
  lagBytes: number | null;
  /** When the last probe (successful or not) ended. */
  probedAt: string | null;
  /** Why it is not in use, when it is not: the last probe's or read's error message. */
  error?: string;
  /** Reads it has served since the server started. */
  reads: number;
  /** Reads that failed on it and were answered by the primary instead. */
  fallbacks: number;
}

export interface ReadReplicaOptions {
  urls: string[];
  /** The primary, whose WAL position the replicas' replay is compared with. */
  primary: Db;
  maxLagMs: number;
  probeIntervalMs: number;
  poolSize: number;
  logger: Logger;
}

/** `application_name` of the sessions that read from replicas (visible in their `pg_stat_activity`). */
export const REPLICA_APPLICATION_NAME = '1security-api replica reads';

const PROBE_TIMEOUT_MS = 2_000;
/** Oldest-first primary WAL positions a lagging replica has not reached; bounded. */
const MAX_SAMPLES = 600;

/** `16/B374D848` → a number of bytes. */
function lsnToBigInt(lsn: string): bigint {
  const [high, low] = lsn.split('/');
  return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function nameOf(url: string, index: number): string {
  const parsed = new URL(url);
  return `replica ${index + 1} (${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname})`;
}

/** One replica: its pool, its last measurement and its counters. */
export class Replica {
  readonly db: Db;
  readonly name: string;
  #close: () => Promise<void>;
  #state: ReplicaState = 'starting';
  #lagMs: number | null = null;
  #lagBytes: number | null = null;
  #probedAt: number | null = null;
  #error: string | undefined;
  #reads = 0;
  #fallbacks = 0;
  /** Primary WAL positions not yet replayed here, with when the primary was seen at each. */
  #unreplayed: Array<{ lsn: bigint; at: number }> = [];

  constructor(
    url: string,
    index: number,
    private readonly options: ReadReplicaOptions,
  ) {
    this.name = nameOf(url, index);
    const handle = openPostgres({
      url,
      poolSize: options.poolSize,
      logger: options.logger,
      applicationName: REPLICA_APPLICATION_NAME,
    });
    this.db = handle.db;
    this.#close = handle.close;
  }

  /** Reads may go here: a standby measured recently, within the allowed lag. */
  usable(now: number): boolean {
    return (
      this.#state === 'ok' &&
      this.#probedAt !== null &&
      // A probe that hangs leaves the last measurement standing: trust it only for a while.
      now - this.#probedAt <= 3 * this.options.probeIntervalMs + PROBE_TIMEOUT_MS
    );
  }

  /** A read this replica answered. */
  served(): void {
    this.#reads++;
  }

  /**
   * A read failed here (and is retried on the primary). Unreachable or shutting down: skipped
   * until a probe finds it well. Any other failure (a statement cancelled by a recovery
   * conflict, a migration not replayed yet) concerns that read only.
   */
  failed(err: unknown): void {
    this.#fallbacks++;
    const message = err instanceof Error ? err.message : String(err);
    this.options.logger.warn({ replica: this.name, err: message }, 'replica read failed; answered by the primary');
    if (!isDatabaseUnavailable(err)) return;
    this.#state = 'down';
    this.#error = message;
  }

  /** The primary did not answer its part of the probe: the lag is unknown. */
  primaryUnreachable(message: string): void {
    this.#set('unknown', null, null, `primary: ${message}`);
  }

  /**
   * Measures the lag against `primaryLsn`, the primary's WAL position read at `observedAt`
   * (just before this query). A timestamp comparison such as `now() -
   * pg_last_xact_replay_timestamp()` would call an idle but fully caught-up standby
   * "minutes behind" (nothing new to replay, so the last replayed commit grows old);
   * comparing WAL positions does not: an idle primary's position stands still, the standby
   * reaches it, and its lag is 0. When the standby has not reached the position, its lag
   * is the time since the primary was first seen past what it has replayed.
   */
  async probe(primaryLsn: bigint, observedAt: number): Promise<void> {
    try {
      const { rows } = await withTimeout(
        sql<{ inRecovery: boolean; replayLsn: string | null }>`
          select pg_is_in_recovery() as "inRecovery", pg_last_wal_replay_lsn()::text as "replayLsn"`.execute(this.db),
        PROBE_TIMEOUT_MS,
      );
      const row = rows[0];
      if (!row?.inRecovery || row.replayLsn === null) {
        this.#set('not-a-standby', null, null, 'not in recovery: not a streaming replica of the primary');
        return;
      }
      const replayed = lsnToBigInt(row.replayLsn);
      const last = this.#unreplayed[this.#unreplayed.length - 1];
      if (!last || primaryLsn > last.lsn) {
        if (this.#unreplayed.length >= MAX_SAMPLES) this.#unreplayed.splice(1, 1); // keep the oldest
        this.#unreplayed.push({ lsn: primaryLsn, at: observedAt });
      }
      this.#unreplayed = this.#unreplayed.filter((sample) => sample.lsn > replayed);
      const now = Date.now();
      const lagMs = this.#unreplayed[0] ? now - this.#unreplayed[0].at : 0;
      const lagBytes = primaryLsn > replayed ? Number(primaryLsn - replayed) : 0;
      if (lagMs > this.options.maxLagMs) {
        this.#set(
          'lagging',
          lagMs,
          lagBytes,
          `${lagMs} ms behind the primary (REPLICA_MAX_LAG_MS ${this.options.maxLagMs})`,
        );
      } else {
        this.#set('ok', lagMs, lagBytes, undefined);
      }
    } catch (err) {
      this.#set('down', null, null, err instanceof Error ? err.message : String(err));
    }
  }

  #set(state: ReplicaState, lagMs: number | null, lagBytes: number | null, error: string | undefined): void {
    if (state !== this.#state && this.#state !== 'starting') {
      const log = state === 'ok' ? this.options.logger.info : this.options.logger.warn;
      log.call(this.options.logger, { replica: this.name, state, lagMs, err: error }, 'replica state changed');
    }
    this.#state = state;
    this.#lagMs = lagMs;
    this.#lagBytes = lagBytes;
    this.#error = error;
    this.#probedAt = Date.now();
  }

  status(now: number): ReplicaStatus {
    return {
      name: this.name,
      state: this.#state,
      inUse: this.usable(now),
      lagMs: this.#lagMs,
      lagBytes: this.#lagBytes,
      probedAt: this.#probedAt === null ? null : new Date(this.#probedAt).toISOString(),
      ...(this.#error !== undefined ? { error: this.#error } : {}),
      reads: this.#reads,
      fallbacks: this.#fallbacks,
    };
  }

  close(): Promise<void> {
    return this.#close();
  }
}

/**
 * The read replicas (`DATABASE_REPLICA_URL`): hot standbys of the primary, each measured every
 * `probeIntervalMs`. Lists, details and changes feeds read from one that is up and within
 * `maxLagMs` (round robin); with none, they read from the primary. What must be current —
 * writes, key management, ingest, the dashboard, and every key's liveness — stays on the
 * primary (see auth/live-read.ts).
 */
export class ReadReplicas {
  readonly #replicas: Replica[];
  readonly #timer: NodeJS.Timeout;
  #probing: Promise<void> | undefined;
  #next = 0;

  constructor(private readonly options: ReadReplicaOptions) {
    this.#replicas = options.urls.map((url, index) => new Replica(url, index, options));
    this.#timer = setInterval(() => void this.probe(), options.probeIntervalMs);
    this.#timer.unref();
  }

  /** Measures every replica once (a probe already running is joined, not doubled). */
  probe(): Promise<void> {
    this.#probing ??= this.#probeAll().finally(() => (this.#probing = undefined));
    return this.#probing;
  }

  async #probeAll(): Promise<void> {
    let primaryLsn: bigint;
    const observedAt = Date.now();
    try {
      const { rows } = await withTimeout(
        sql<{ lsn: string }>`select pg_current_wal_lsn()::text as lsn`.execute(this.options.primary),
        PROBE_TIMEOUT_MS,
      );
      primaryLsn = lsnToBigInt(rows[0]!.lsn);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      for (const replica of this.#replicas) replica.primaryUnreachable(message);
      return;
    }
    await Promise.all(this.#replicas.map((replica) => replica.probe(primaryLsn, observedAt)));
  }

  /** A replica to read from now, or undefined: read from the primary. */
  pick(): Replica | undefined {
    const now = Date.now();
    for (let i = 0; i < this.#replicas.length; i++) {
      const replica = this.#replicas[(this.#next + i) % this.#replicas.length]!;
      if (replica.usable(now)) {
        this.#next = (this.#next + i + 1) % this.#replicas.length;
        return replica;
      }
    }
    return undefined;
  }

  /** Each replica's state, lag and counters (for `/readyz` and the metrics). */
  status(): ReplicaStatus[] {
    const now = Date.now();
    return this.#replicas.map((replica) => replica.status(now));
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#probing?.catch(() => undefined);
    await Promise.all(this.#replicas.map((replica) => replica.close()));
  }
}

/** The state of `replicas` (none configured: an empty list). For `/readyz` and the metrics. */
export function replicaStatus(replicas: ReadReplicas | undefined): ReplicaStatus[] {
  return replicas?.status() ?? [];
}
