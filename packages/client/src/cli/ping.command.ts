import { makeClient, readEnvironment } from './cli.context';

/** `onesec ping`: checks the key and prints the tenant, key and scopes. */
export async function runPing(): Promise<void> {
  const client = makeClient(readEnvironment());
  const ping = await client.ping();
  process.stdout.write(
    `ok: tenant ${ping.tenantId}, key ${ping.keyId} (${JSON.stringify(ping.name)}), scopes ${ping.scopes.join(', ') || 'none'}, API ${client.baseUrl}\n`,
  );
}
