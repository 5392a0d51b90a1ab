/**
 * The session settings the code relies on, set on every connection whatever the cluster,
 * database or role defaults are (`ALTER DATABASE … SET`, postgresql.conf):
 *
 * - `DateStyle` ISO: timestamps come back as `2026-11-25 10:00:00.123`, the text the driver
 *   turns into ISO-8601 strings (iso-timestamps.ts); `SQL, DMY` would give `25/11/2026 …`.
 * - `TimeZone` UTC: `timestamptz` text and date arithmetic do not shift with a local zone
 *   (DST days are not 24 hours in `Pacific/Chatham`).
 * - `IntervalStyle` postgres: intervals read back in the form the code and tests expect.
 * - `search_path` public: the tables the migrations create are the ones every query finds;
 *   a database default such as `audit, public` would put them elsewhere or shadow them.
 *   An operator who wants another schema says so in DATABASE_URL (`?options=-c search_path=x`),
 *   which is applied after these.
 */
export const SESSION_SETTINGS = {
  DateStyle: 'ISO, MDY',
  TimeZone: 'UTC',
  IntervalStyle: 'postgres',
  search_path: 'public',
} as const;

/** `SET` statements for an engine whose session we hold directly (PGlite). */
export function sessionSettingStatements(): string {
  return Object.entries(SESSION_SETTINGS)
    .map(([name, value]) => `set ${name} = '${value}';`)
    .join(' ');
}

/**
 * The `options` startup parameter for a PostgreSQL connection (`-c name=value …`, spaces
 * escaped), followed by whatever `options` the URL carries, so the operator's choice wins.
 * Returns the URL without its `options` (pg would otherwise let it replace ours entirely).
 */
export function connectionWithSessionSettings(url: string): { connectionString: string; options: string } {
  const parsed = new URL(url);
  const own = parsed.searchParams.get('options');
  parsed.searchParams.delete('options');
  const ours = Object.entries(SESSION_SETTINGS)
    .map(([name, value]) => `-c ${name}=${value.replace(/([\\ ])/g, '\\$1')}`)
    .join(' ');
  return { connectionString: parsed.toString(), options: own ? `${ours} ${own}` : ours };
}
