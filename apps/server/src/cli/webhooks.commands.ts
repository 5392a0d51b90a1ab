import { Command, InvalidArgumentError } from 'commander';
import { UnknownTenantError } from '../api-keys/api-keys.service';
import { CLI_ACTOR } from '../audit/audit-events';
import { RESOURCE_NAMES, type ResourceName } from '../resources/registry';
import { checkWebhookUrl, WebhookAddressError } from '../webhooks/webhook-address';
import { parseResourceFilters } from '../webhooks/webhook-filters';
import { loadConfig } from '../config';
import {
  createWebhookEndpoint,
  findWebhookTenant,
  listWebhookEndpoints,
  replayWebhookEndpoint,
  rotateWebhookSecret,
  setWebhookEndpointStatus,
  UnknownWebhookError,
  validDescription,
  validResources,
  validTime,
  webhookOptionsFromConfig,
  WebhookValidationError,
  type WebhookEndpointView,
  type WebhookFiltersInput,
} from '../webhooks/webhook-endpoints.service';
import { CliError, printJson, withCli, type CliContext } from './cli-context';
import { parseTenantId } from './id-arguments';

const parseWebhookId = (raw: string): string => {
  if (!/^[0-9A-HJKMNP-TV-Z]{26}$/i.test(raw)) {
    throw new InvalidArgumentError(
      `Malformed webhook id ${JSON.stringify(raw.slice(0, 80))}: ids are 26-character ULIDs; \`pnpm admin webhooks list --tenant <TENANT_ID>\` shows them.`,
    );
  }
  return raw.toUpperCase();
};

/**
 * A Commander parser from one of the service's checks, so a bad value is a usage error (exit 2,
 * Commander names the option and the value) found before the database is opened.
 */
function serviceParser(check: (raw: string) => unknown): (raw: string) => string {
  return (raw) => {
    try {
      check(raw);
    } catch (err) {
      if (err instanceof WebhookValidationError) {
        throw new InvalidArgumentError(err.problems.map((p) => p.message).join('; '));
      }
      throw err;
    }
    return raw;
  };
}

/** `--resources logs,security-alerts`. */
const parseResources = serviceParser(validResources);
/** `--start-from now|ISO`. */
const parseStartFrom = serviceParser((raw) => raw === 'now' || validTime(raw, 'startFrom'));
/** `--from ISO` of `replay`. */
const parseReplayFrom = serviceParser((raw) => validTime(raw, 'from'));
/** `--description TEXT`. */
const parseDescription = serviceParser(validDescription);

/** `--filter security-alerts:severity=high,critical`, repeatable. */
function collectFilter(raw: string, previous: WebhookFiltersInput = {}): WebhookFiltersInput {
  const match = /^([a-z-]+):([A-Za-z]+)=(.+)$/.exec(raw);
  if (!match) {
    throw new InvalidArgumentError(
      `${JSON.stringify(raw)} is not a filter: write <resource>:<param>=<values>, e.g. security-alerts:severity=high,critical`,
    );
  }
  const [, resource, param, values] = match as unknown as [string, string, string, string];
  if (!(RESOURCE_NAMES as readonly string[]).includes(resource)) {
    throw new InvalidArgumentError(`${JSON.stringify(resource)} is not a resource (use ${RESOURCE_NAMES.join(', ')})`);
  }
  // The parameter and its values, as the resource's changes feed parses them.
  const { problems } = parseResourceFilters(resource as ResourceName, { [param]: values });
  if (problems.length > 0) {
    throw new InvalidArgumentError(problems.map((p) => `${resource}:${param} ${p.message}`).join('; '));
  }
  const existing = previous[resource] ?? {};
  return { ...previous, [resource]: { ...existing, [param]: values } };
}

function parseBatchSize(raw: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 100) {
    throw new InvalidArgumentError(`${JSON.stringify(raw)} is not a batch size: use a whole number from 1 to 100`);
  }
  return Number(raw);
}

/**
 * The service's errors, as the operator reads them. A value the service refuses (an address it
 * will not deliver to, a filter for a resource the endpoint does not have) is a usage error,
 * exit 2, naming the option and the value as given (`values`, by the service's parameter name).
 */
async function asCliErrors<T>(work: () => Promise<T>, values: Record<string, unknown> = {}): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof WebhookValidationError) {
      throw new CliError(
        err.problems
          .map((p) => {
            const value = values[p.parameter];
            const given = typeof value === 'string' ? ` ${JSON.stringify(value.slice(0, 200))}` : '';
            return `${cliName(p.parameter)}${given}: ${p.message}`;
          })
          .join('\n'),
        2,
      );
    }
    if (err instanceof UnknownTenantError || err instanceof UnknownWebhookError) throw new CliError(err.message);
    throw err;
  }
}

function cliName(parameter: string): string {
  if (parameter === 'batchSize') return '--batch-size';
  if (parameter === 'startFrom') return '--start-from';
  if (parameter.startsWith('filters.')) return `--filter ${parameter.slice('filters.'.length).replace('.', ':')}`;
  return `--${parameter}`;
}

async function tenantOf(ctx: CliContext, id: string): Promise<string> {
  const tenantId = await findWebhookTenant(ctx.database.db, id);
  if (!tenantId) throw new CliError(`No webhook endpoint with id ${id}.`);
  return tenantId;
}

function listJson(w: WebhookEndpointView) {
  return {
    webhookId: w.id,
    tenantId: w.tenantId,
    url: w.url,
    description: w.description,
    resources: w.resources,
    filters: w.filters,
    batchSize: w.batchSize,
    status: w.status,
    disabledReason: w.disabledReason,
    startFrom: w.startFrom,
    createdAt: w.createdAt,
    createdBy: w.createdBy,
    failingSince: w.failingSince,
    lastError: w.lastError,
  };
}

export function webhooksCommand(): Command {
  const webhooks = new Command('webhooks').description(
    'Manage webhook endpoints: signed push delivery of the changes feeds to a URL',
  );

  webhooks
    .command('create')
    .description('Create a webhook endpoint; prints its signing secret once')
    .requiredOption('--tenant <TENANT_ID>', 'the tenant', parseTenantId)
    .requiredOption('--url <URL>', 'where messages are POSTed (https://)')
    .requiredOption('--resources <RESOURCES>', `comma-separated: ${RESOURCE_NAMES.join(', ')}`, parseResources)
    .option(
      '--filter <resource:param=values>',
      'only matching items, as the list endpoints filter (repeatable), e.g. security-alerts:severity=high,critical',
      collectFilter,
    )
    .option('--batch-size <N>', 'items per message, 1–100 (default 1)', parseBatchSize)
    .option('--start-from <now|ISO>', 'now (default), or an ISO time to backfill from', parseStartFrom, 'now')
    .option('--description <TEXT>', 'a note for the dashboard (at most 500 characters)', parseDescription)
    .option('--json', 'print one JSON object')
    .action(
      async (options: {
        tenant: string;
        url: string;
        resources: string;
        filter?: WebhookFiltersInput;
        batchSize?: number;
        startFrom: string;
        description?: string;
        json?: boolean;
      }) => {
        // The URL's form and scheme, before the database (its address is checked on create).
        try {
          checkWebhookUrl(options.url, webhookOptionsFromConfig(loadConfig()).network);
        } catch (err) {
          if (err instanceof WebhookAddressError) {
            throw new CliError(`--url ${JSON.stringify(options.url.slice(0, 200))}: ${err.message}`, 2);
          }
          throw err;
        }
        await withCli(async (ctx) => {
          const { endpoint, secret } = await asCliErrors(
            () =>
              createWebhookEndpoint(
                ctx.database.db,
                {
                  tenantId: options.tenant,
                  url: options.url,
                  resources: options.resources,
                  filters: options.filter,
                  batchSize: options.batchSize,
                  startFrom: options.startFrom,
                  description: options.description,
                  actor: CLI_ACTOR,
                },
                webhookOptionsFromConfig(ctx.config),
              ),
            { url: options.url, resources: options.resources, startFrom: options.startFrom },
          );
          if (options.json) {
            return printJson({
              webhookId: endpoint.id,
              tenantId: endpoint.tenantId,
              url: endpoint.url,
              resources: endpoint.resources,
              batchSize: endpoint.batchSize,
              secret,
              status: endpoint.status,
            });
          }
          process.stdout.write(
            [
              `Created webhook ${endpoint.id} in tenant ${endpoint.tenantId}: ${endpoint.resources.join(', ')} → ${endpoint.url}`,
              '',
              `  signing secret (shown once): ${secret}`,
              '',
              'Verify every message with it (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature).',
              '',
            ].join('\n'),
          );
        });
      },
    );

  webhooks
    .command('list')
    .description("List a tenant's webhook endpoints")
    .requiredOption('--tenant <TENANT_ID>', 'the tenant', parseTenantId)
    .option('--json', 'print a JSON array')
    .action(async (options: { tenant: string; json?: boolean }) => {
      await withCli(async (ctx) => {
        const list = await listWebhookEndpoints(ctx.database.db, { tenantId: options.tenant });
        if (options.json) return printJson(list.map(listJson));
        if (list.length === 0) {
          process.stdout.write(`No webhook endpoints in tenant ${options.tenant}.\n`);
          return;
        }
        for (const w of list) {
          const state = w.status === 'enabled' ? 'enabled' : `disabled (${w.disabledReason})`;
          process.stdout.write(`${w.id}  ${state.padEnd(20)}  ${w.resources.join(',')}  ${w.url}\n`);
        }
      });
    });

  for (const status of ['disable', 'enable'] as const) {
    webhooks
      .command(status)
      .description(
        status === 'enable'
          ? 'Enable an endpoint: delivery resumes where it stopped, nothing skipped'
          : 'Disable an endpoint: delivery stops; its position is kept',
      )
      .argument('<WEBHOOK_ID>', 'the endpoint', parseWebhookId)
      .action(async (id: string) => {
        await withCli(async (ctx) => {
          const tenantId = await tenantOf(ctx, id);
          const endpoint = await asCliErrors(() =>
            setWebhookEndpointStatus(ctx.database.db, {
              tenantId,
              id,
              status: status === 'enable' ? 'enabled' : 'disabled',
              actor: CLI_ACTOR,
            }),
          );
          process.stdout.write(`Webhook ${endpoint.id} is ${endpoint.status}.\n`);
        });
      });
  }

  webhooks
    .command('rotate-secret')
    .description('Issue a new signing secret; the old one also signs for 24 hours')
    .argument('<WEBHOOK_ID>', 'the endpoint', parseWebhookId)
    .option('--json', 'print one JSON object')
    .action(async (id: string, options: { json?: boolean }) => {
      await withCli(async (ctx) => {
        const tenantId = await tenantOf(ctx, id);
        const { endpoint, secret } = await asCliErrors(() =>
          rotateWebhookSecret(
            ctx.database.db,
            { tenantId, id, actor: CLI_ACTOR },
            webhookOptionsFromConfig(ctx.config),
          ),
        );
        if (options.json) {
          return printJson({
            webhookId: endpoint.id,
            tenantId: endpoint.tenantId,
            secret,
            previousSecretExpiresAt: endpoint.previousSecretExpiresAt,
          });
        }
        process.stdout.write(
          [
            `New signing secret for webhook ${endpoint.id} (shown once): ${secret}`,
            `Until ${endpoint.previousSecretExpiresAt}, messages carry a signature with the previous secret too.`,
            '',
          ].join('\n'),
        );
      });
    });

  webhooks
    .command('replay')
    .description('Deliver again every change from a time on (same webhook-ids for the same spans)')
    .argument('<WEBHOOK_ID>', 'the endpoint', parseWebhookId)
    .requiredOption('--from <ISO>', 'replay items from this time, e.g. 2026-11-30T00:00:00Z', parseReplayFrom)
    .action(async (id: string, options: { from: string }) => {
      await withCli(async (ctx) => {
        const tenantId = await tenantOf(ctx, id);
        const endpoint = await asCliErrors(
          () => replayWebhookEndpoint(ctx.database.db, { tenantId, id, from: options.from, actor: CLI_ACTOR }),
          { from: options.from },
        );
        process.stdout.write(`Webhook ${endpoint.id} replays from ${new Date(options.from).toISOString()}.\n`);
      });
    });

  return webhooks;
}
