/**
 * Mints an API key from the command line, as the API reference documents:
 *
 *   cd apps/server
 *   pnpm exec tsx src/scripts/createApiKey.ts --tenant <TENANT_ID> --name "Splunk prod"
 *
 * The same as `pnpm admin keys create` (same options).
 */
import { Command } from 'commander';
import { keysCommand } from '../cli/keys.commands';
import { runCli } from '../cli/program';

const create = keysCommand().commands.find((c) => c.name() === 'create');
if (!create) throw new Error('keys create command missing');
const program = new Command('createApiKey').addCommand(create, { isDefault: true });
process.exitCode = await runCli(process.argv.slice(2), program);
