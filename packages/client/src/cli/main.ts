import { Command, CommanderError, Option } from 'commander';
import { CLIENT_VERSION } from '../version';
import { warn } from './cli.context';
import { classifyError, EXIT_CODES } from './exit-codes';
import { runExport } from './export.command';
import { FORMAT_NAMES } from './output.format';
import { DEFAULT_OUTPUT_RETRIES } from './output.delivery';
import { runPing } from './ping.command';
import { allFilterNames, filterNamesOf, RESOURCE_NAMES } from './resource.registry';
import { DEFAULT_BATCH_SIZE, DEFAULT_INTERVAL, runSync } from './sync.command';

const ENVIRONMENT_HELP = `
Environment:
  ONESEC_API_KEY   the API key (1sec_live_…); never a flag, so it stays out of shell history and ps
  ONESEC_BASE_URL  the API's base URL (default https://api.1security.ai)

Exit codes:
${Object.values(EXIT_CODES)
  .map((e) => `  ${e.code}  ${e.meaning}`)
  .join('\n')}
`;

const INCLUDE_HELP =
  'extra item fields, as the API takes them: rawData (the provider record; NDJSON: the field, ECS: event.original, CEF: left out)';

function filterOptions(): Option[] {
  return allFilterNames().map((name) => {
    const owners = RESOURCE_NAMES.filter((r) => filterNamesOf(r).includes(name));
    return new Option(`--${name} <values>`, `filter, as the API takes it (${owners.join(', ')})`);
  });
}

/** The `onesec` program. Exported for tests and the docs; `run` parses argv and exits. */
export function buildProgram(): Command {
  const program = new Command('onesec')
    .description('Forwards 1Security audit logs and alerts to SIEMs: NDJSON, CEF or ECS, to stdout, files or syslog.')
    .version(CLIENT_VERSION, '-V, --version')
    .showHelpAfterError()
    .addHelpText('after', ENVIRONMENT_HELP)
    .exitOverride();

  program.command('ping').description('check the API key: prints its tenant, key id and scopes').action(runPing);

  const exportCommand = program
    .command('export')
    .description('write every item of one resource in a time window, oldest first, to stdout or a new file')
    .argument('<resource>', RESOURCE_NAMES.join('|'))
    .option('--since <iso>', 'only items at or after this time')
    .option('--until <iso>', 'only items before this time')
    .option('--include <fields>', INCLUDE_HELP)
    .addOption(new Option('--format <format>', 'output format').choices(FORMAT_NAMES).default('ndjson'))
    .option('--output <file>', 'write to this file (replaced) instead of stdout')
    .option('--output-retries <n>', 'retries of a failing output write, with backoff', String(DEFAULT_OUTPUT_RETRIES));
  for (const option of filterOptions()) exportCommand.addOption(option);
  exportCommand.action((resource: string, flags) => runExport(resource, flags));

  const syncCommand = program
    .command('sync')
    .description(
      "forward each resource's changes feed from the checkpoint, saving the checkpoint after each delivered batch",
    )
    .argument('<resources>', `one or more of ${RESOURCE_NAMES.join(',')}, comma-separated`)
    .option('--checkpoint <file>', 'checkpoint file (required): where each feed position is kept')
    .option('--from <iso>', 'with no checkpoint yet: start from items at or after this time (default: all retained)')
    .option('--include <fields>', INCLUDE_HELP)
    .addOption(new Option('--format <format>', 'output format').choices(FORMAT_NAMES).default('ndjson'))
    .option(
      '--output <target>',
      'stdout, FILE, syslog+tcp://HOST:PORT, syslog+tls://HOST:PORT or syslog+udp://HOST:PORT',
      'stdout',
    )
    .option('--ca <file>', 'syslog+tls: the CA certificate(s) that signed the receiver (PEM); default: the system CAs')
    .option('--cert <file>', 'syslog+tls: client certificate (PEM), for receivers that require one')
    .option('--key <file>', 'syslog+tls: the client certificate key (PEM)')
    .option('--follow', 'once caught up, keep polling at --interval until SIGTERM/SIGINT')
    .option('--interval <duration>', 'pause between polls with --follow: 30s, 5m, 500ms…', DEFAULT_INTERVAL)
    .option('--batch-size <n>', 'items per request and per delivered batch, 1-1000', String(DEFAULT_BATCH_SIZE))
    .option(
      '--output-retries <n>',
      'retries of a failing output, with backoff from 1 s to 30 s, before exit 4',
      String(DEFAULT_OUTPUT_RETRIES),
    );
  for (const option of filterOptions()) syncCommand.addOption(option);
  syncCommand.action((resources: string, flags) => runSync(resources, flags));

  for (const command of [program, ...program.commands]) {
    command.exitOverride();
    command.configureOutput({ writeErr: (text) => process.stderr.write(text) });
  }
  return program;
}

/** Runs `onesec` with these arguments and exits with its documented status. */
export async function run(argv: readonly string[] = process.argv): Promise<never> {
  let code: number;
  try {
    await buildProgram().parseAsync(argv as string[]);
    code = EXIT_CODES.OK.code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with code 0; a parse error has been printed already.
      code = err.exitCode === 0 ? 0 : EXIT_CODES.USAGE.code;
    } else {
      const { exit, message } = classifyError(err);
      warn(message);
      code = EXIT_CODES[exit].code;
    }
  }
  // Let stdout drain (a pipe) before exiting.
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  process.exit(code);
}
