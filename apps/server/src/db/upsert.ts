import { sql, type RawBuilder } from 'kysely';

/** Stamped from the record or, when it has none, from the ingestion time: not content. */
const TIMESTAMP_COLUMNS = ['created_at', 'updated_at'];

/**
 * For `insert … on conflict (tenant_id, source_id) do update` on alerts:
 * - the stored alert takes the incoming values (but keeps its id and first `created_at`)
 *   and a new changes-feed position;
 * - only when the incoming state is at least as new (replaying an old export must not undo
 *   a resolution), and only when some content column differs: re-ingesting the same record
 *   is a no-op, not a change, even if it carries no timestamps of its own.
 * json columns have no equality operator, so `textCompared` ones are compared as text.
 */
export function changedColumnsUpdate<C extends string>(
  table: string,
  columns: readonly C[],
  textCompared: readonly C[] = [],
) {
  const set = Object.fromEntries(
    columns.filter((c) => c !== 'created_at').map((c) => [c, sql.ref(`excluded.${c}`)]),
  ) as Record<C, RawBuilder<unknown>>;
  const feedPosition = {
    txid: sql`pg_current_xact_id()`,
    seq: sql`nextval(${`${table}_seq`}::regclass)`,
  };
  const content = columns.filter((c) => !TIMESTAMP_COLUMNS.includes(c));
  const comparable = (qualifier: string) =>
    sql.join(
      content.map((c) =>
        textCompared.includes(c) ? sql`${sql.ref(`${qualifier}.${c}`)}::text` : sql.ref(`${qualifier}.${c}`),
      ),
    );
  const changed = sql<boolean>`${sql.ref('excluded.updated_at')} >= ${sql.ref(`${table}.updated_at`)} and (${comparable(table)}) is distinct from (${comparable('excluded')})`;
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
