import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config';
import { CliError } from './cli-context';
import { ingestCommand } from './ingest.commands';
import { keysCommand } from './keys.commands';
import { maintenanceCommand } from './maintenance.commands';
import { seedCommand } from './seed.commands';
import { tenantsCommand } from './tenants.commands';
import { usersCommand } from './users.commands';
import { webhooksCommand } from './webhooks.commands';

export function buildProgram(): Command {
  return new Command('admin')
    .description('1Security API operator CLI. Uses DATABASE_URL, or the embedded database in DATA_DIR.')
    .showHelpAfterError()
    .addCommand(tenantsCommand())
    .addCommand(keysCommand())
    .addCommand(usersCommand())
    .addCommand(ingestCommand())
    .addCommand(seedCommand())
    .addCommand(maintenanceCommand())
    .addCommand(webhooksCommand());
}

/** Runs a command line; returns the exit code instead of exiting, so tests can call it. */
export async function runCli(argv: string[], program: Command = buildProgram()): Promise<number> {
  program.exitOverride();
  for (const sub of program.commands) {
    sub.exitOverride();
    for (const leaf of sub.commands) leaf.exitOverride();
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof CliError || err instanceof ConfigError) {
      process.stderr.write(`error: ${err.message}\n`);
      return err instanceof CliError ? err.exitCode : 1;
    }
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
