import type { PGlite } from '@electric-sql/pglite';
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import type { Db } from './database';
import type { SessionGate } from './session-gate';

/**
 * A statement with a blob for PGlite's `/dev/blob` device: `COPY … FROM '/dev/blob'` reads it
 * (PGlite's equivalent of COPY FROM STDIN). Only for a database that {@link readsBlobs}.
 */
export type BlobQuery = CompiledQuery & { blob: Blob };

const blobReaders = new WeakSet<Db>();

/** Whether `db` is an in-process PGlite, whose statements may carry a blob ({@link BlobQuery}). */
export function readsBlobs(db: Db): boolean {
  return blobReaders.has(db);
}

/** Marks `db` as an in-process PGlite (not one reached through its socket: the wire carries no blob). */
export function markReadsBlobs(db: Db): void {
  blobReaders.add(db);
}

/**
 * Kysely dialect for an in-process PGlite whose single session is shared, through a
 * {@link SessionGate}, with the socket clients of {@link startEmbeddedSocketServer}.
 * (kysely-pglite-dialect serialises only its own callers, so a CLI connected through the
 * socket could interleave with a server transaction; this driver takes the shared gate.)
 */
export class GatedPGliteDialect implements Dialect {
  constructor(
    private readonly pglite: PGlite,
    private readonly gate: SessionGate,
  ) {}
  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new GatedPGliteDriver(this.pglite, this.gate);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
  createIntrospector(db: Kysely<unknown>) {
    return new PostgresIntrospector(db);
  }
}

class GatedPGliteConnection implements DatabaseConnection {
  constructor(
    private readonly pglite: PGlite,
    readonly release: () => void,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const blob = (query as Partial<BlobQuery>).blob;
    const result = await this.pglite.query<R>(query.sql, [...query.parameters], blob ? { blob } : undefined);
    return {
      rows: result.rows,
      ...(result.affectedRows !== undefined ? { numAffectedRows: BigInt(result.affectedRows) } : {}),
    };
  }

  async *streamQuery<R>(query: CompiledQuery, chunkSize = 1000): AsyncIterableIterator<QueryResult<R>> {
    const { rows } = await this.executeQuery<R>(query);
    for (let i = 0; i < rows.length; i += chunkSize) yield { rows: rows.slice(i, i + chunkSize) };
  }
}

class GatedPGliteDriver implements Driver {
  constructor(
    private readonly pglite: PGlite,
    private readonly gate: SessionGate,
  ) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new GatedPGliteConnection(this.pglite, await this.gate.acquire());
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const sql = settings.isolationLevel ? `start transaction isolation level ${settings.isolationLevel}` : 'begin';
    await connection.executeQuery(CompiledQuery.raw(sql));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as GatedPGliteConnection).release();
  }

  async destroy(): Promise<void> {}
}
