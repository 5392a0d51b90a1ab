import { ApiKeyNameSchema, ISO_TIMESTAMP_PATTERN, TenantNameSchema, TimestampQuerySchema } from '@1security/contract';
import { InvalidArgumentError } from 'commander';
import type { z } from 'zod';

/** A Commander parser from one of the contract's schemas, so the CLI and the dashboard agree. */
function schemaParser<T>(schema: z.ZodType<T, z.ZodTypeDef, string>): (raw: string) => T {
  return (raw) => {
    const parsed = schema.safeParse(raw);
    if (!parsed.success) throw new InvalidArgumentError(parsed.error.issues[0]?.message ?? 'is invalid');
    return parsed.data;
  };
}

/** `--name` of a key: trimmed, not empty, at most 100 characters (as in the dashboard). */
export const parseKeyName = schemaParser(ApiKeyNameSchema);

/** `--name` of a tenant: trimmed, not empty, at most 200 characters. */
export const parseTenantName = schemaParser(TenantNameSchema);

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const RFC_3339 = new RegExp(ISO_TIMESTAMP_PATTERN);

/**
 * `--expires-at`: a date (`2027-01-01`, midnight UTC) or an RFC 3339 date-time with a zone,
 * checked by the public API's own parser, so an impossible date is refused, never rolled over.
 */
export function parseTimestamp(raw: string): Date {
  const timestamp = DATE_ONLY.test(raw) ? `${raw}T00:00:00Z` : raw;
  if (!RFC_3339.test(timestamp)) {
    throw new InvalidArgumentError(
      'must be a date (2027-01-01, midnight UTC) or an RFC 3339 date-time with seconds and a zone (2027-01-01T00:00:00Z)',
    );
  }
  const parsed = TimestampQuerySchema.safeParse(timestamp);
  if (!parsed.success) throw new InvalidArgumentError(`${raw} is not a real date (no such day in that month)`);
  return parsed.data;
}
