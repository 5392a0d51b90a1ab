import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CompiledQuery } from 'kysely';
import type pg from 'pg';
import type { Db } from '../db/database';
import type { BlobQuery } from '../db/pglite-driver';
import { from as copyFrom } from 'pg-copy-streams';
import type { NewLogEventRow } from '../logs/logs.table';

/** The columns an ingested event is written with, in COPY order (txid and seq are the table's defaults). */
const COLUMNS = [
  'tenant_id',
  'id',
  'source_id',
  'occurred_at',
  'discovered_at',
  'action',
  'severity',
  'actor_name',
  'actor_type',
  'actor_ip',
  'resource_name',
  'resource_type',
  'workload',
  'application_display_name',
  'raw_data',
] as const satisfies ReadonlyArray<keyof NewLogEventRow>;
const COLUMN_LIST = COLUMNS.join(', ');

// Per connection, emptied at every commit: the batch's rows land here first, untouched by the
// table's indexes, defaults and constraints, then move in one INSERT … SELECT.
const CREATE_STAGING = `create temp table if not exists log_events_copy on commit delete rows as
  select ${COLUMN_LIST} from log_events with no data`;
const COPY_IN = `copy log_events_copy (${COLUMN_LIST}) from stdin`;
// Any unique key already stored (the id, or the tenant's source id) means "seen": skip it,
// exactly as the row-by-row insert does.
const MOVE = `insert into log_events (${COLUMN_LIST}) select ${COLUMN_LIST} from log_events_copy on conflict do nothing`;

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A value in COPY's text format: `\N` for null, backslash escapes for the four special characters. */
function copyText(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  const text = value instanceof Date ? value.toISOString() : String(value);
  return /[\\\n\r\t]/.test(text) ? text.replace(/[\\\n\r\t]/g, (c) => ESCAPES[c]!) : text;
}

/** One row as a line of COPY text (with its newline). */
function copyLine(row: NewLogEventRow): string {
  let line = '';
  for (let i = 0; i < COLUMNS.length; i++) line += (i === 0 ? '' : '\t') + copyText(row[COLUMNS[i]!]);
  return `${line}\n`;
}

/** The rows as COPY text, in chunks of about 256 KB (one CopyData message each). */
function* copyChunks(rows: NewLogEventRow[]): Generator<string> {
  let chunk = '';
  for (const row of rows) {
    chunk += copyLine(row);
    if (chunk.length >= COPY_CHUNK_BYTES) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

const COPY_CHUNK_BYTES = 256 * 1024;

/**
 * Encodes rows into COPY text as they come, into 256 KB buffers outside the JavaScript heap:
 * an ingest batch is then a few megabytes of bytes rather than thousands of row objects that
 * live long enough to be promoted to V8's old generation (which grew the CLI's heap, and its
 * RSS, by hundreds of megabytes of garbage between full collections). Each row's line is a
 * view into a shared buffer; a buffer is freed once the views of all its rows are gone.
 */
export class LogEventCopyEncoder {
  private chunk = Buffer.allocUnsafe(0);
  private used = 0;

  /** The row's COPY line, as bytes. */
  encode(row: NewLogEventRow): Buffer {
    const line = copyLine(row);
    // UTF-8 takes at most 3 bytes per UTF-16 code unit; measure only when that might not fit.
    let length = line.length * 3;
    if (length > this.chunk.length - this.used) {
      length = Buffer.byteLength(line);
      if (length > this.chunk.length - this.used) {
        this.chunk = Buffer.allocUnsafe(Math.max(COPY_CHUNK_BYTES, length));
        this.used = 0;
      }
    }
    const written = this.chunk.write(line, this.used);
    const bytes = this.chunk.subarray(this.used, this.used + written);
    this.used += written;
    return bytes;
  }
}

/** Lines (views into the encoder's buffers) joined into pieces of at most ~256 KB, without copying adjacent lines. */
function* copyPieces(lines: Buffer[]): Generator<Buffer> {
  let run: Buffer | undefined;
  let end = 0;
  for (const line of lines) {
    if (run && line.buffer === run.buffer && line.byteOffset === end && run.length + line.length <= COPY_CHUNK_BYTES) {
      run = Buffer.from(run.buffer, run.byteOffset, run.length + line.length);
    } else {
      if (run) yield run;
      run = line;
    }
    end = line.byteOffset + line.length;
  }
  if (run) yield run;
}

/**
 * Writes one batch of events in one transaction of its own, as PostgreSQL loads data fastest:
 * `COPY` into a temporary staging table, then `INSERT … SELECT … ON CONFLICT DO NOTHING` into
 * log_events. Same rows and same skip-if-stored rule as `insertLogEventsBulk`; a batch lands
 * whole or not at all. Returns how many rows were new.
 */
export async function copyLogEvents(pool: pg.Pool, rows: NewLogEventRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  return copyIntoLogEvents(pool, copyChunks(rows));
}

/**
 * {@link copyLogEvents} for rows already encoded by a {@link LogEventCopyEncoder}, one line
 * each, in the order given.
 */
export async function copyLogEventLines(pool: pg.Pool, lines: Buffer[]): Promise<number> {
  if (lines.length === 0) return 0;
  return copyIntoLogEvents(pool, copyPieces(lines));
}

async function copyIntoLogEvents(pool: pg.Pool, text: Iterable<string | Buffer>): Promise<number> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('begin');
    try {
      await client.query(CREATE_STAGING);
      const copy: Writable = client.query(copyFrom(COPY_IN));
      await pipeline(text, copy);
      const moved = await client.query(MOVE);
      await client.query('commit');
      return moved.rowCount ?? 0;
    } catch (err) {
      await client.query('rollback').catch((rollbackError: Error) => (broken = rollbackError));
      throw err;
    }
  } catch (err) {
    broken ??= isConnectionError(err) ? (err as Error) : undefined;
    throw err;
  } finally {
    // A connection that failed mid-transaction is not given back to the pool.
    client.release(broken);
  }
}

const COPY_FROM_BLOB = `copy log_events_copy (${COLUMN_LIST}) from '/dev/blob'`;

/**
 * PGlite's equivalent of {@link copyLogEvents}, inside the caller's transaction `trx` of an
 * in-process PGlite (`readsBlobs`): the batch as one COPY text blob through PGlite's
 * `/dev/blob` device into the same staging table, then the same INSERT … SELECT … ON CONFLICT
 * DO NOTHING. Returns how many rows were new.
 */
export async function blobCopyLogEvents(trx: Db, rows: NewLogEventRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  await trx.executeQuery(CompiledQuery.raw(CREATE_STAGING));
  const copy: BlobQuery = { ...CompiledQuery.raw(COPY_FROM_BLOB), blob: new Blob([...copyChunks(rows)]) };
  await trx.executeQuery(copy);
  const moved = await trx.executeQuery(CompiledQuery.raw(MOVE));
  return Number(moved.numAffectedRows ?? 0);
}

function isConnectionError(err: unknown): boolean {
  return (
    typeof (err as { code?: unknown } | null)?.code !== 'string' ||
    !/^[0-9A-Z]{5}$/.test((err as { code: string }).code)
  );
}
