import { SCOPES, type Scope } from '@1security/contract';
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  ApiKeyAlreadyRevokedError,
  createApiKey,
  ExpiryInThePastError,
  revokeApiKey,
  UnknownApiKeyError,
  UnknownTenantError,
} from '../api-keys/api-keys.service';
import { listApiKeys } from '../api-keys/api-keys.repository';
import { CLI_ACTOR } from '../audit/audit-events';
import type { ApiKeyRow } from '../api-keys/api-keys.table';
import { findTenant } from '../tenants/tenants.repository';
import { CliError, printJson, withCli } from './cli-context';
import { parseKeyId, parseTenantId } from './id-arguments';
import { parseKeyName, parseTimestamp } from './text-arguments';

function parseScopes(raw: string): Scope[] {
  const scopes = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
  if (scopes.length === 0 || unknown.length > 0) {
    throw new InvalidArgumentError(`unknown scope ${unknown.join(', ') || '(none)'}; allowed: ${SCOPES.join(', ')}`);
  }
  return [...new Set(scopes)] as Scope[];
}

function parsePositiveInt(raw: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 1_000_000) {
    throw new InvalidArgumentError('must be a whole number from 1 to 1000000');
  }
  return Number(raw);
}

export function keyJson(key: ApiKeyRow) {
  return {
    tenantId: key.tenant_id,
    keyId: key.id,
    name: key.name,
    prefix: key.display_prefix,
    scopes: key.scopes,
    rateLimit: key.rate_limit,
    expiresAt: key.expires_at?.toISOString() ?? null,
    revokedAt: key.revoked_at?.toISOString() ?? null,
    lastUsedAt: key.last_used_at?.toISOString() ?? null,
    createdAt: key.created_at.toISOString(),
    createdBy: key.created_by,
  };
}

export interface KeysCreateOptions {
  tenant: string;
  name: string;
  scopes?: Scope[];
  expiresAt?: Date;
  rateLimit?: number;
  json?: boolean;
}

/** `keys create`: shared with the seed's `src/scripts/createApiKey.ts`. */
export async function keysCreate(options: KeysCreateOptions): Promise<void> {
  await withCli(async ({ config, database }) => {
    let created;
    try {
      created = await createApiKey(database.db, config.apiKeyPepper, {
        tenantId: options.tenant,
        name: options.name,
        scopes: options.scopes,
        rateLimit: options.rateLimit ?? null,
        expiresAt: options.expiresAt ?? null,
        actor: CLI_ACTOR,
      });
    } catch (err) {
      if (err instanceof UnknownTenantError) throw new CliError(err.message);
      if (err instanceof ExpiryInThePastError) {
        throw new CliError(
          `--expires-at ${err.expiresAt.toISOString()} is in the past (it is ${err.now.toISOString()}): a key must expire in the future.`,
          2,
        );
      }
      throw err;
    }
    const { key, secret } = created;
    if (options.json) {
      printJson({
        tenantId: key.tenant_id,
        keyId: key.id,
        name: key.name,
        scopes: key.scopes,
        secret,
        expiresAt: key.expires_at?.toISOString() ?? null,
        rateLimit: key.rate_limit,
      });
      return;
    }
    process.stdout.write(
      [
        `Created API key ${key.id} "${key.name}" for tenant ${key.tenant_id}`,
        `  scopes:     ${key.scopes.join(', ')}`,
        `  rate limit: ${key.rate_limit ?? `${config.rateLimitPerMinute} (default)`} requests/minute`,
        `  expires:    ${key.expires_at?.toISOString() ?? 'never'}`,
        '',
        `  secret:     ${secret}`,
        '',
        'The secret is shown once and cannot be retrieved again: store it in your credential store now.',
        '',
      ].join('\n'),
    );
  });
}

export function keysCommand(): Command {
  const keys = new Command('keys').description('Create, list and revoke API keys');

  keys
    .command('create')
    .description('Mint an API key for a tenant; the secret is printed once')
    .requiredOption('--tenant <TENANT_ID>', 'the tenant the key reads', parseTenantId)
    .requiredOption('--name <NAME>', 'a name for the key, e.g. "Splunk prod" (at most 100 characters)', parseKeyName)
    .option('--scopes <a,b>', `comma-separated scopes (default: all of ${SCOPES.join(', ')})`, parseScopes)
    .option(
      '--expires-at <ISO>',
      'when the key stops working, in the future: 2027-01-01 (midnight UTC) or 2027-01-01T00:00:00Z (default: never)',
      parseTimestamp,
    )
    .addOption(
      new Option('--rate-limit <N>', 'requests per minute for this key (default: the server default)').argParser(
        parsePositiveInt,
      ),
    )
    .option('--json', 'print one JSON object')
    .action((options: KeysCreateOptions) => keysCreate(options));

  keys
    .command('list')
    .description("List a tenant's keys (never their secrets)")
    .requiredOption('--tenant <TENANT_ID>', 'the tenant', parseTenantId)
    .option('--json', 'print a JSON array')
    .action(async (options: { tenant: string; json?: boolean }) => {
      await withCli(async ({ database }) => {
        const rows = await listApiKeys(database.db, options.tenant);
        if (rows.length === 0 && !(await findTenant(database.db, options.tenant))) {
          throw new CliError(`No tenant with id ${options.tenant}.`);
        }
        if (options.json) return printJson(rows.map(keyJson));
        if (rows.length === 0) {
          process.stdout.write(`No keys for tenant ${options.tenant}.\n`);
          return;
        }
        for (const row of rows) {
          const state = row.revoked_at
            ? 'revoked'
            : row.expires_at && row.expires_at < new Date()
              ? 'expired'
              : 'active';
          process.stdout.write(
            `${row.id}  ${state.padEnd(7)}  ${row.display_prefix}  ${row.name}  [${row.scopes.join(', ')}]  last used ${row.last_used_at?.toISOString() ?? 'never'}\n`,
          );
        }
      });
    });

  keys
    .command('revoke')
    .description('Revoke a key; it fails on its very next request, on every server')
    .argument('<KEY_ID>', 'the key to revoke', parseKeyId)
    .option('--json', 'print one JSON object')
    .action(async (keyId: string, options: { json?: boolean }) => {
      await withCli(async ({ database }) => {
        let revokedAt: Date | null;
        let already = false;
        try {
          revokedAt = (await revokeApiKey(database.db, { keyId, actor: CLI_ACTOR })).revoked_at;
        } catch (err) {
          if (err instanceof UnknownApiKeyError) throw new CliError(err.message);
          // For the operator, revoking again is not an error: the key is revoked, as asked.
          if (!(err instanceof ApiKeyAlreadyRevokedError)) throw err;
          revokedAt = err.key.revoked_at;
          already = true;
        }
        if (options.json) printJson({ keyId, revoked: true, revokedAt: revokedAt?.toISOString() ?? null });
        else if (already)
          process.stdout.write(`API key ${keyId} was already revoked at ${revokedAt?.toISOString()}.\n`);
        else process.stdout.write(`Revoked API key ${keyId}.\n`);
      });
    });

  return keys;
}
