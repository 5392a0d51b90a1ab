import { runCli } from './program';

// `pnpm admin -- keys list` passes a literal "--" through; drop it.
const argv = process.argv.slice(2);
if (argv[0] === '--') argv.shift();
process.exitCode = await runCli(argv);
