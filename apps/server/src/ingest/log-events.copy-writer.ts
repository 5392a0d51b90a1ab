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

/** The rows as COPY text, in chunks of about 256 KB (one CopyData message each). */
function* copyChunks(rows: NewLogEventRow[]): Generator<string> {
  let chunk = '';
  for (const row of rows) {
    let line = '';
    for (let i = 0; i < COLUMNS.length; i++) line += (i === 0 ? '' : '\t') + copyText(row[COLUMNS[i]!]);
    chunk += `${line}\n`;
    if (chunk.length >= 256 * 1024) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/**
 * Writes one batch of events in one transaction of its own, as PostgreSQL loads data fastest:
 * `COPY` into a temporary staging table, then `INSERT … SELECT … ON CONFLICT DO NOTHING` into
 * log_events. Same rows and same skip-if-stored rule as `insertLogEventsBulk`; a batch lands
 * whole or not at all. Returns how many rows were new.
 */
export async function copyLogEvents(pool: pg.Pool, rows: NewLogEventRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('begin');
    try {
      await client.query(CREATE_STAGING);
      const copy: Writable = client.query(copyFrom(COPY_IN));
      await pipeline(copyChunks(rows), copy);
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
