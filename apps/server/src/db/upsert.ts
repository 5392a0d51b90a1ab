import { sql, type RawBuilder } from 'kysely';

/**
 * For `insert … on conflict (tenant_id, source_id) do update`: every data column takes the
 * incoming value, the row gets a new changes-feed position, and nothing at all happens when
 * no column actually changed (so re-ingesting the same record is a no-op, not a change).
 */
export function changedColumnsUpdate<C extends string>(table: string, columns: readonly C[]) {
  const set = Object.fromEntries(columns.map((c) => [c, sql.ref(`excluded.${c}`)])) as Record<C, RawBuilder<unknown>>;
  const feedPosition = {
    txid: sql`pg_current_xact_id()`,
    seq: sql`nextval(${`${table}_seq`}::regclass)`,
  };
  // Only newer-or-equal state may replace what is stored: replaying an old export must not
  // undo a resolution. And a record identical to what is stored changes nothing.
  const changed = sql<boolean>`${sql.ref(`excluded.updated_at`)} >= ${sql.ref(`${table}.updated_at`)} and (${sql.join(columns.map((c) => sql.ref(`${table}.${c}`)))}) is distinct from (${sql.join(
    columns.map((c) => sql.ref(`excluded.${c}`)),
  )})`;
  // Kysely cannot type a column list chosen at run time; the columns come from the table's own list.
  return { set: { ...set, ...feedPosition } as never, changed };
}

/** Counts from `returning (xmax = 0) as inserted`: new rows vs rows that changed. */
export function countUpserts(rows: Array<{ inserted: boolean }>, attempted: number) {
  const inserted = rows.filter((r) => r.inserted).length;
  const updated = rows.length - inserted;
  return { inserted, updated, unchanged: attempted - rows.length };
}

export const insertedFlag = sql<boolean>`(xmax = 0)`.as('inserted');
