import type { Kysely } from 'kysely';
import type { Logger } from '../logger';
import { openEmbedded, openInMemory } from './embedded-database';
import { openPostgres } from './postgres-pool';
import type { Database } from './schema';

export type Db = Kysely<Database>;
export type Engine = 'postgres' | 'pglite';

export interface DatabaseHandle {
  db: Db;
  engine: Engine;
  /** Where the data lives, for logs (never includes a password). */
  location: string;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** PostgreSQL; when unset the embedded PGlite is used. */
  databaseUrl?: string | undefined;
  /** The embedded database's folder, or 'memory' for a throw-away one (tests). */
  dataDir: string;
  /** Serve the embedded database to other local processes (the server does; the CLI doesn't). */
  serveEmbedded?: boolean;
  /** PostgreSQL pool size. */
  poolSize?: number;
  logger: Logger;
}

/** Opens the database the configuration names. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl)
    return openPostgres({ url: options.databaseUrl, poolSize: options.poolSize ?? 10, logger: options.logger });
  if (options.dataDir === 'memory') return openInMemory(options.logger);
  return openEmbedded(options.dataDir, options.serveEmbedded ?? false, options.logger);
}
