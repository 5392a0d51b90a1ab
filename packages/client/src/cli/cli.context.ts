import { createClient, type OneSecurityClient } from '../create-client';
import { CliError } from './exit-codes';

/** What the commands read from the environment: the key never comes from a flag (shell history, `ps`). */
export interface CliEnvironment {
  apiKey: string;
  baseUrl: string | undefined;
}

export function readEnvironment(env: NodeJS.ProcessEnv = process.env): CliEnvironment {
  const apiKey = env.ONESEC_API_KEY?.trim();
  if (!apiKey)
    throw new CliError('USAGE', 'ONESEC_API_KEY is not set: export the API key (1sec_live_…) in the environment.');
  const baseUrl = env.ONESEC_BASE_URL?.trim() || undefined;
  return { apiKey, baseUrl };
}

/** Writes a line to stderr, prefixed so that it stands out in a collector's log. */
export function warn(message: string): void {
  process.stderr.write(`onesec: ${message}\n`);
}

export function makeClient(environment: CliEnvironment): OneSecurityClient {
  try {
    return createClient({
      apiKey: environment.apiKey,
      baseUrl: environment.baseUrl,
      onRetry: (event) => {
        const why = event.status ? `HTTP ${event.status}` : event.reason;
        warn(`API ${why}; retrying in ${(event.delayMs / 1000).toFixed(1)} s (attempt ${event.attempt + 1})`);
      },
    });
  } catch (err) {
    throw new CliError('USAGE', `ONESEC_BASE_URL: ${(err as Error).message.replace(/^createClient: /, '')}`);
  }
}
