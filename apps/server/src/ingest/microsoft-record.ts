import { z } from 'zod';

/**
 * Reading Microsoft payloads (Office 365 Management Activity records, Graph alerts_v2
 * objects): their timestamps, their loosely-typed nested fields, and rejection reasons that
 * name the field at fault.
 */

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:\d{2})?$/i;

/**
 * Parses a Microsoft timestamp into a millisecond-precision Date, or null if it is not one.
 *
 * - O365 `CreationTime` carries no offset and is UTC (`2026-06-05T09:12:44`); a missing
 *   offset is read as UTC, never as the machine's local time.
 * - Graph `DateTimeOffset`s carry up to 7 fractional digits (`…01.3266667Z`). Fractions
 *   are truncated to milliseconds, never rounded, so a time never moves into the next
 *   millisecond (or second) and the stored value is exactly what cursors carry.
 * - Calendar-impossible dates (`2026-02-30`) are rejected rather than rolled over.
 */
export function parseMicrosoftTimestamp(raw: string): Date | null {
  const match = TIMESTAMP.exec(raw.trim());
  if (!match) return null;
  const [, year, month, day, hour, minute, second = '00', fraction = '', offset = 'Z'] = match;
  const millis = (fraction + '000').slice(0, 3);
  const date = new Date(`${year}-${month}-${day}T${hour}:${minute}:${second}.${millis}${offset.toUpperCase()}`);
  if (Number.isNaN(date.getTime())) return null;
  // Round-trip the wall-clock fields: JavaScript silently turns Feb 30 into Mar 1.
  const check = new Date(
    Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second)),
  );
  const valid =
    check.getUTCFullYear() === Number(year) &&
    check.getUTCMonth() === Number(month) - 1 &&
    check.getUTCDate() === Number(day) &&
    check.getUTCHours() === Number(hour) &&
    check.getUTCMinutes() === Number(minute) &&
    check.getUTCSeconds() === Number(second);
  return valid ? date : null;
}

/** A zod field for a Microsoft timestamp, as a millisecond-precision Date. */
export function microsoftTimestamp() {
  return z
    .string({ required_error: 'is required', invalid_type_error: 'must be an ISO timestamp' })
    .transform((raw, ctx) => {
      const date = parseMicrosoftTimestamp(raw);
      if (!date) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must be an ISO timestamp' });
        return z.NEVER;
      }
      return date;
    });
}

/** A required, non-empty string field with messages that read well after the field name. */
export function requiredText(max = 100_000) {
  return z
    .string({ required_error: 'is required', invalid_type_error: 'must be a string' })
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`);
}

/** An optional string field: absent, null, or a string. */
export function optionalText() {
  return z.string({ invalid_type_error: 'must be a string' }).nullish();
}

/** "Field: problem; Field: problem" — the first few issues, each naming its field. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || 'record'}: ${issue.message}`)
    .join('; ');
}

/** True for a plain JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The value at a dotted path (`AppAccessContext.ClientAppName`, `AffectedItems.0.Subject`)
 * as a trimmed, non-empty string; numbers are stringified. Anything else is null: nested
 * fields of Microsoft payloads vary by workload and version, so they are read, not trusted.
 */
export function textAt(source: unknown, path: string): string | null {
  let current: unknown = source;
  for (const key of path.split('.')) {
    if (Array.isArray(current) && /^\d+$/.test(key)) current = current[Number(key)];
    else if (isJsonObject(current)) current = current[key];
    else return null;
  }
  if (typeof current === 'number' && Number.isFinite(current)) return String(current);
  if (typeof current !== 'string') return null;
  const trimmed = current.trim();
  return trimmed.length > 0 ? trimmed : null;
}

/** The text at the first of `paths` that holds any. */
export function firstTextAt(source: unknown, paths: readonly string[]): string | null {
  for (const path of paths) {
    const value = textAt(source, path);
    if (value !== null) return value;
  }
  return null;
}
