import { contract } from '@1security/contract';
import type { z } from 'zod';
import { filtersOf } from '../resources/resource-handlers';
import { RESOURCES, type ResourceName } from '../resources/registry';

/** An endpoint's filters: per resource, the list endpoints' own filter parameters as query strings. */
export type WebhookFilters = Partial<Record<ResourceName, Record<string, string>>>;
/** Filters as callers give them: a value may be a list (`['high', 'critical']`) or a query string (`high,critical`). */
export type WebhookFiltersInput = Partial<Record<string, Record<string, string | string[]>>>;

/** The changes feed's query schema of a resource, found in the contract through the registry. */
function changesQuerySchemaOf(resource: ResourceName): z.ZodTypeAny {
  const routes = contract[RESOURCES[resource].key] as Record<string, { path: string; query?: z.ZodTypeAny }>;
  const route = Object.values(routes).find((r) => r.path.endsWith('/changes'));
  if (!route?.query) throw new Error(`no changes feed in the contract for ${resource}`);
  return route.query;
}

/**
 * Parses a resource's filters exactly as its changes feed parses its query parameters, so a
 * webhook accepts the same filters, and rejects the same bad values, as the API.
 * Returns the problems found (parameter names like `filters.security-alerts.severity`).
 */
export function parseResourceFilters(
  resource: ResourceName,
  raw: Record<string, string>,
): { filters: object; problems: Array<{ parameter: string; message: string }> } {
  const table = RESOURCES[resource].table;
  const problems: Array<{ parameter: string; message: string }> = [];
  for (const key of Object.keys(raw)) {
    if (!(key in table.filters)) {
      problems.push({
        parameter: `filters.${resource}.${key}`,
        message: `is not a filter of ${resource} (its filters: ${Object.keys(table.filters).join(', ')})`,
      });
    }
  }
  if (problems.length > 0) return { filters: {}, problems };
  const parsed = changesQuerySchemaOf(resource).safeParse(raw);
  if (!parsed.success) {
    return {
      filters: {},
      problems: parsed.error.issues.map((issue) => ({
        parameter: `filters.${resource}.${issue.path.join('.')}`,
        message: issue.message,
      })),
    };
  }
  return { filters: filtersOf(table, parsed.data as object), problems };
}

/** Normalises the input's values to query strings (lists joined with commas). */
export function normaliseFilterValues(input: Record<string, string | string[]>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(input).map(([key, value]) => [key, Array.isArray(value) ? value.join(',') : String(value)]),
  );
}
