/** A query value as callers may give it: lists as arrays, times as Dates, numbers and booleans as such. */
export type QueryValue = string | number | boolean | Date | readonly (string | number)[] | null | undefined;

/**
 * Serialises a query the way the API reads it: lists comma-separated (`severity=high,critical`,
 * OpenAPI `style: form, explode: false`), Dates as ISO 8601 UTC, booleans as `true`/`false`.
 * Undefined, null and empty lists are left out (an empty list means "no filter").
 */
export function toSearchParams(query: Readonly<Record<string, unknown>> | undefined | null): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    const text = serialiseValue(value);
    if (text !== undefined) params.set(key, text);
  }
  return params;
}

function serialiseValue(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value))
    return value.length === 0 ? undefined : value.map((item) => serialiseValue(item) ?? '').join(',');
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/** Replaces the query of `url` with `query`, serialised by {@link toSearchParams}. */
export function withQuery(url: string, query: Readonly<Record<string, unknown>> | undefined | null): string {
  const parsed = new URL(url);
  // Commas may stand literally in a query; keeping them makes URLs in logs readable.
  parsed.search = toSearchParams(query).toString().replace(/%2C/gi, ',');
  return parsed.toString();
}
