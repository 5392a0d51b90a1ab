import { loadConfig, type Config } from '../config';
import { openDatabase, type DatabaseHandle } from '../db/database';
import { migrateToLatest } from '../db/migrate';
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
   * from (the root script passes it on; pnpm's INIT_CWD does not survive a nested run).
   */
  cwd: string;
}

/**
 * Opens the configured database for one command. On the embedded engine this goes through
 * a running server's socket when there is one, so the CLI works while the server runs.
 */
export async function withCli<T>(run: (ctx: CliContext) => Promise<T>): Promise<T> {
  const config = loadConfig();
  // The CLI's own output is its result; database chatter goes to stderr, warnings only.
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr);
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    logger,
    poolSize: 4,
  });
  try {
    await migrateToLatest(database.db);
    return await run({ config, database, cwd: process.env.ONESEC_CALLER_CWD || process.env.INIT_CWD || process.cwd() });
  } finally {
    await database.close();
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
