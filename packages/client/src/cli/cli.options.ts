import { CliError } from './exit-codes';
import { FORMAT_NAMES, type FormatName } from './output.format';
import { RESOURCE_NAMES, RESOURCES, allFilterNames, filterNamesOf, type ResourceName } from './resource.registry';

/** `logs,security-alerts` → the resources, each once, in the order given. */
export function parseResources(value: string): ResourceName[] {
  const names = value
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  if (names.length === 0)
    throw new CliError('USAGE', `no resource given: use one or more of ${RESOURCE_NAMES.join(', ')}.`);
  for (const name of names) {
    if (!(RESOURCE_NAMES as readonly string[]).includes(name)) {
      throw new CliError('USAGE', `unknown resource ${JSON.stringify(name)}: use ${RESOURCE_NAMES.join(', ')}.`);
    }
  }
  return [...new Set(names)] as ResourceName[];
}

export function parseFormat(value: string): FormatName {
  if (!(FORMAT_NAMES as readonly string[]).includes(value)) {
    throw new CliError('USAGE', `--format ${JSON.stringify(value)} is not a format: use ${FORMAT_NAMES.join(', ')}.`);
  }
  return value as FormatName;
}

export function parseBatchSize(value: string): number {
  if (!/^\d{1,4}$/.test(value) || Number(value) < 1 || Number(value) > 1000) {
    throw new CliError('USAGE', `--batch-size ${JSON.stringify(value)} must be an integer from 1 to 1000.`);
  }
  return Number(value);
}

export function parseRetries(value: string): number {
  if (!/^\d{1,3}$/.test(value) || Number(value) > 100) {
    throw new CliError('USAGE', `--output-retries ${JSON.stringify(value)} must be an integer from 0 to 100.`);
  }
  return Number(value);
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `30s`, `5m`, `1h`, `500ms`, or a bare number of seconds. */
export function parseInterval(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  const ms = match ? Number(match[1]) * UNITS[match[2] ?? 's']! : NaN;
  if (!Number.isFinite(ms) || ms < 100 || ms > 86_400_000) {
    throw new CliError(
      'USAGE',
      `--interval ${JSON.stringify(value)} must be a duration from 100ms to 24h, e.g. 30s, 5m, 500ms.`,
    );
  }
  return Math.round(ms);
}

/** Checks an ISO time flag (`--since`, `--until`, `--from`) with the API's own parser; returns it as given. */
export function parseTime(flag: string, value: string, resource: ResourceName): string {
  const schema = RESOURCES[resource].changesQuery.shape.from!;
  const result = schema.safeParse(value);
  if (!result.success)
    throw new CliError(
      'USAGE',
      `--${flag} ${JSON.stringify(value)} ${result.error.issues[0]?.message ?? 'is not a valid time'}.`,
    );
  return value;
}

/**
 * `--include rawData`: extra item fields, checked with the API's own parser and sent as given.
 * The parser is the same for every resource.
 */
export function parseInclude(value: string, resource: ResourceName): string {
  const result = RESOURCES[resource].changesQuery.shape.include!.safeParse(value);
  if (!result.success) {
    throw new CliError(
      'USAGE',
      `--include ${JSON.stringify(value)}: ${result.error.issues[0]?.message ?? 'invalid value'}.`,
    );
  }
  return value;
}

/**
 * The `--<filter>` flags given, checked with the API's own query parsers and sent as given
 * to every listed resource that has the filter. A filter none of them has is an error.
 */
export function filtersFor(
  resources: readonly ResourceName[],
  options: Record<string, unknown>,
): Map<ResourceName, Record<string, string>> {
  const given = allFilterNames().filter((name) => typeof options[name] === 'string');
  const perResource = new Map<ResourceName, Record<string, string>>(resources.map((r) => [r, {}]));
  for (const name of given) {
    const value = options[name] as string;
    const takers = resources.filter((r) => filterNamesOf(r).includes(name));
    if (takers.length === 0) {
      throw new CliError('USAGE', `--${name} is not a filter of ${resources.join(', ')}.`);
    }
    for (const resource of takers) {
      const result = RESOURCES[resource].changesQuery.shape[name]!.safeParse(value);
      if (!result.success) {
        throw new CliError(
          'USAGE',
          `--${name} ${JSON.stringify(value)}: ${result.error.issues[0]?.message ?? 'invalid value'}.`,
        );
      }
      perResource.get(resource)![name] = value;
    }
  }
  return perResource;
}
