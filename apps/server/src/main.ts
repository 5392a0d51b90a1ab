import { ConfigError, loadConfig } from './config';
import { seedDemoTenantOnFirstStart } from './demo/demo-tenant';
import { boundHeapGrowth } from './heap-growth';
import { createLogger } from './logger';
import { startServer } from './server';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  boundHeapGrowth();
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));

  const running = await startServer(config, logger, {
    beforeListen: (database) =>
      seedDemoTenantOnFirstStart(database, config, (text) => process.stdout.write(`${text}\n`)),
  });
  const database = `database: ${running.database.engine}`;
  process.stdout.write(
    running.boundUrl === running.url
      ? `1Security API listening on ${running.url}/api/v1 (${database})\n`
      : `1Security API listening on ${running.boundUrl}/api/v1 (every interface; ${database})\n` +
          `  from this machine: ${running.url}/api/v1\n`,
  );
  if (running.metricsUrl) process.stdout.write(`Prometheus metrics at ${running.metricsUrl}\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining in-flight requests');
    running.close().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`Failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
