import { sql, type RawBuilder } from 'kysely';

/**
 * Timestamps leave the database as the API's ISO-8601 strings, without a `Date` in between.
 *
 * The API renders every instant as `toISOString()` does (`2026-11-25T10:00:00.123Z`). Letting
 * the driver parse each `timestamptz` into a `Date` only to format it again was the largest
 * per-row cost of a page (a regular expression, a `Date` and a string per value, and the
 * garbage they leave). Item queries therefore select `column at time zone 'UTC'` — a
 * `timestamp` (OID 1114) holding the UTC wall-clock time — and the driver is told to turn
 * that type's text into the ISO string directly (`pgTypeParsers`). The schema stores only
 * `timestamptz`, so type 1114 appears in results only where {@link isoTimestamp} asks for it.
 */
export const TIMESTAMP_OID = 1114;

/** Selects `column` as its ISO-8601 UTC rendering (a string, or null where the column is). */
export function isoTimestamp(column: string): RawBuilder<string> {
  return sql<string>`(${sql.ref(column)} at time zone 'UTC')`;
}

const PG_TIMESTAMP = /^(\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?( BC)?$/;

/**
 * PostgreSQL's text for a `timestamp` (DateStyle ISO: `2026-11-25 10:00:00.123456`, trailing
 * fraction zeros dropped) as `Date#toISOString()` would render that instant: milliseconds
 * always three digits, the rest truncated, as a `Date` would.
 */
export function isoFromPgTimestamp(text: string): string {
  const length = text.length;
  // The common case, years 1–9999 AD: rearranged in place.
  if (
    length >= 19 &&
    length <= 26 &&
    text.charCodeAt(4) === 45 &&
    text.charCodeAt(10) === 32 &&
    (length === 19 || (text.charCodeAt(19) === 46 && text.charCodeAt(length - 1) !== 67)) // 46 '.', 67 'C' of BC
  ) {
    const millis = length === 19 ? '000' : `${text.slice(20, 23)}00`.slice(0, 3);
    return `${text.slice(0, 10)}T${text.slice(11, 19)}.${millis}Z`;
  }
  // Years after 9999, or BC: through a Date, which knows toISOString's forms for them.
  const match = PG_TIMESTAMP.exec(text);
  if (!match) throw new Error(`Unexpected timestamp text from the database: ${text}`);
  const [, year, month, day, hour, minute, second, fraction = '', bc] = match;
  const date = new Date(0);
  date.setUTCFullYear(bc ? 1 - Number(year) : Number(year), Number(month) - 1, Number(day));
  date.setUTCHours(Number(hour), Number(minute), Number(second), Number(`${fraction}00`.slice(0, 3)));
  return date.toISOString();
}

/** For `pg.Pool({ types })`: type 1114 as ISO strings, every other type as pg parses it. */
export function pgTypeParsers(base: { getTypeParser: (oid: number, format?: 'text' | 'binary') => unknown }) {
  return {
    getTypeParser: (oid: number, format?: 'text' | 'binary') =>
      oid === TIMESTAMP_OID && format !== 'binary' ? isoFromPgTimestamp : base.getTypeParser(oid, format),
  };
}
