import { monotonicFactory } from 'ulid';
import type { Readable } from 'node:stream';
import type pg from 'pg';
import type { Db } from '../db/database';
import { readsBlobs } from '../db/pglite-driver';
import { postgresPoolOf } from '../db/postgres-pool';
import { isDatabaseUnavailable } from '../http/database-errors';
import { pooledCryptoPrng } from '../ids/pooled-random';
import { RESOURCES, type ResourceEntry, type WriteResult } from '../resources/registry';
import type { IngestFormat, IngestResourceType } from './ingest.types';
import { copyLogEventLines, LogEventCopyEncoder } from './log-events.copy-writer';
import { readRecords } from './record-reader';

/** The database's own words, without the SQL: e.g. a violated constraint. */
function databaseReason(err: unknown): string {
  const e = err as { detail?: string; message?: string; constraint?: string };
  return e.detail ?? e.message ?? String(err);
}

export interface IngestSummary {
  read: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
}

export interface Rejection {
  line: number;
  /** In a JSON array file: the element's 1-based index (the line is where it starts). */
  element?: number;
  reason: string;
}

export interface IngestOptions {
  tenantId: string;
  type: IngestResourceType;
  format: IngestFormat;
  input: Readable;
  /** Records per transaction. A batch lands whole or not at all. */
  batchSize?: number;
  onRejected?: (rejection: Rejection) => void;
  onProgress?: (summary: IngestSummary) => void;
  /** Stamps discoveredAt and missing times (tests fix it). */
  now?: () => Date;
}

type AnyRow = { source_id?: string | null };

/**
 * Resources whose COPY path (PostgreSQL proper) takes rows encoded as they are read, so that
 * a batch waits as COPY text outside the JavaScript heap rather than as row objects (see
 * {@link LogEventCopyEncoder}). Same transaction, same result as the resource's `copyWrite`.
 */
const ENCODED_COPY: Partial<
  Record<
    IngestResourceType,
    { encoder: () => { encode: (row: never) => Buffer }; write: (pool: pg.Pool, lines: Buffer[]) => Promise<number> }
  >
> = {
  logs: { encoder: () => new LogEventCopyEncoder(), write: copyLogEventLines },
};

/** A record waiting in a batch: where it came from, and its row (or, on the encoded COPY path, its COPY line). */
interface BatchEntry {
  line: number;
  element?: number;
  sourceId: string | null | undefined;
  row?: AnyRow;
  copyLine?: Buffer;
}

export function supportedFormats(type: IngestResourceType): IngestFormat[] {
  return Object.keys(RESOURCES[type].formats) as IngestFormat[];
}

/**
 * Streams records into the database in batches, each batch in its own transaction: an
 * interrupted run leaves whole batches or nothing, and running it again is idempotent
 * (the source id decides: logs already stored are skipped, alerts are updated only when
 * something changed, and a changed alert moves in the changes feed).
 */
export async function ingestRecords(db: Db, options: IngestOptions): Promise<IngestSummary> {
  const resource = RESOURCES[options.type] as ResourceEntry<AnyRow>;
  const normalise = resource.formats[options.format];
  if (!normalise) throw new Error(`--format ${options.format} does not apply to ${options.type}`);
  const batchSize = options.batchSize ?? 1000;
  const newId = monotonicFactory(pooledCryptoPrng());
  const summary: IngestSummary = { read: 0, inserted: 0, updated: 0, unchanged: 0, rejected: 0 };
  const reject = (rejection: Rejection) => {
    summary.rejected++;
    options.onRejected?.(rejection);
  };

  // A resource with a COPY path (logs) loads through it on PostgreSQL proper (its own
  // transaction per batch) and on an in-process PGlite (COPY from its /dev/blob device, in a
  // Kysely transaction); elsewhere (PGlite through its socket) one statement per batch inside
  // a Kysely transaction.
  const { copyWrite, blobCopyWrite } = resource;
  const pool = copyWrite ? postgresPoolOf(db) : undefined;
  const writeInTrx = blobCopyWrite && readsBlobs(db) ? blobCopyWrite : resource.write;
  const encoded = pool ? ENCODED_COPY[options.type] : undefined;
  const encoder = encoded?.encoder();
  const writeInTransaction = (entries: BatchEntry[]): Promise<WriteResult> => {
    if (encoded && pool) {
      return encoded
        .write(
          pool,
          entries.map((e) => e.copyLine!),
        )
        .then((inserted) => ({ inserted, updated: 0, unchanged: entries.length - inserted }));
    }
    const rows = entries.map((e) => e.row!);
    return copyWrite && pool ? copyWrite(pool, rows) : db.transaction().execute((trx) => writeInTrx(trx, rows));
  };

  let batch: BatchEntry[] = [];
  // The batch being written while the next one is read and normalised: at most one write is
  // in flight, so batches still commit one after the other, in file order, and at most two
  // batches are held at any time (the reader is pulled, not pushed: backpressure as it comes).
  let writing: Promise<void> = Promise.resolve();
  const flush = async () => {
    await writing;
    if (batch.length === 0) return;
    const current = batch;
    batch = [];
    writing = write(current);
    // Surface a failure at the next flush (or the final one), never as an unhandled rejection.
    writing.catch(() => undefined);
  };
  const write = async (entries: BatchEntry[]) => {
    // Within one batch the last record of a source id wins (an alert's latest state).
    const bySource = new Map<string, BatchEntry>();
    const rows: BatchEntry[] = [];
    for (const entry of entries) {
      if (entry.sourceId) bySource.set(entry.sourceId, entry);
      else rows.push(entry);
    }
    const deduplicated = [...rows, ...bySource.values()].sort((a, b) => a.line - b.line);
    summary.unchanged += entries.length - deduplicated.length;
    let result: WriteResult;
    try {
      result = await writeInTransaction(deduplicated);
    } catch (err) {
      if (isDatabaseUnavailable(err)) throw err;
      // One record the database refuses (e.g. an id already used by another record) must not
      // cost the rest of the batch: write record by record and reject only the culprits.
      result = { inserted: 0, updated: 0, unchanged: 0 };
      for (const entry of deduplicated) {
        try {
          const one = await writeInTransaction([entry]);
          result.inserted += one.inserted;
          result.updated += one.updated;
          result.unchanged += one.unchanged;
        } catch (rowError) {
          if (isDatabaseUnavailable(rowError)) throw rowError;
          reject({
            line: entry.line,
            element: entry.element,
            reason: `refused by the database: ${databaseReason(rowError)}`,
          });
        }
      }
    }
    summary.inserted += result.inserted;
    summary.updated += result.updated;
    summary.unchanged += result.unchanged;
    options.onProgress?.({ ...summary });
  };

  for await (const record of readRecords(options.input)) {
    summary.read++;
    if ('error' in record) {
      reject({ line: record.line, element: record.element, reason: record.error });
      continue;
    }
    const now = options.now?.() ?? new Date();
    const result = normalise(record.value, {
      tenantId: options.tenantId,
      now,
      newId: () => newId(now.getTime()),
    });
    if (!result.ok) {
      reject({ line: record.line, element: record.element, reason: result.reason });
      continue;
    }
    const { row } = result;
    batch.push(
      encoder
        ? {
            line: record.line,
            element: record.element,
            sourceId: row.source_id,
            copyLine: encoder.encode(row as never),
          }
        : { line: record.line, element: record.element, sourceId: row.source_id, row },
    );
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  await writing;
  return summary;
}
