import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, type Config } from '../config';
import { openDatabase, type DatabaseHandle } from '../db/database';
import { migrateToLatest } from '../db/migrate';
import { isDatabaseUnavailable } from '../http/database-errors';
import { createLogger } from '../logger';

/** A problem with what the operator asked for: printed without a stack, exit code 1. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export interface CliContext {
  config: Config;
  database: DatabaseHandle;
  /**
   * Where relative file arguments are resolved: the directory the operator ran `pnpm admin`
   * from: `bin/admin.mjs` passes it on before it moves to the server package.
   */
  cwd: string;
}

export interface WithCliOptions {
  /**
   * May create the embedded database when there is none. Only a command that starts from
   * nothing does (`tenants create`): any other, run with a DATA_DIR the server does not use,
   * would silently work on a new, empty database instead of failing.
   */
  createsDatabase?: boolean;
}

/**
 * Opens the configured database for one command, and says which on stderr (stdout stays the
 * command's result). On the embedded engine this goes through a running server's socket when
 * there is one, so the CLI works while the server runs.
 */
export async function withCli<T>(run: (ctx: CliContext) => Promise<T>, options: WithCliOptions = {}): Promise<T> {
  const config = loadConfig();
  const embeddedExists = !config.databaseUrl && existsSync(path.join(config.dataDir, 'pgdata', 'PG_VERSION'));
  if (!config.databaseUrl && !embeddedExists && !options.createsDatabase) {
    throw new CliError(
      [
        `No database at ${config.dataDir}: DATA_DIR names no embedded database, and this command does not create one.`,
        'Run the CLI with the DATA_DIR (or DATABASE_URL) the server uses; `pnpm start` or `pnpm admin tenants create` creates a new one.',
      ].join('\n'),
    );
  }
  // The CLI's own output is its result; database chatter goes to stderr, warnings only.
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr);
  try {
    const database = await openDatabase({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      logger,
      poolSize: 4,
    });
    try {
      process.stderr.write(`database: ${describeDatabase(config, database, embeddedExists)}\n`);
      await migrateToLatest(database.db);
      return await run({
        config,
        database,
        cwd: process.env.ONESEC_CALLER_CWD || process.env.INIT_CWD || process.cwd(),
      });
    } finally {
      await database.close();
    }
  } catch (err) {
    // Down, refusing, or gone mid-command: one line saying so, exit 1 (the caller prints it).
    if (!(err instanceof CliError) && isDatabaseUnavailable(err)) {
      throw new CliError(`cannot reach the database: ${errorText(err)}`);
    }
    throw err;
  }
}

/** An error's message; an AggregateError (every address of a host refused) has its parts'. */
function errorText(err: unknown): string {
  if (err instanceof AggregateError && !err.message) return err.errors.map(errorText).join('; ');
  return err instanceof Error ? err.message : String(err);
}

function describeDatabase(config: Config, database: DatabaseHandle, existed: boolean): string {
  if (config.databaseUrl) {
    const url = new URL(config.databaseUrl);
    url.password = '';
    url.searchParams.delete('password');
    return url.toString();
  }
  // Opened in this process, the embedded database's location is its files; otherwise it is the
  // socket address of the server that owns them.
  if (database.location !== path.join(config.dataDir, 'pgdata')) {
    return `embedded, ${config.dataDir} (through the running server)`;
  }
  return `embedded, ${config.dataDir}${existed ? '' : ' (new)'}`;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
