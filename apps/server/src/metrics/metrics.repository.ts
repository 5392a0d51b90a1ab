import { sql } from 'kysely';
import type { Db } from '../db/database';

/** What the scrape-time series read from the database, in one round trip. */
export interface DatabaseSnapshot {
  /** Age of the oldest running transaction that holds an xid, in seconds; null when not visible. */
  feedLagSeconds: number | null;
  /** Cumulative row counts of each resource's table (all its partitions), by resource name. */
  rows: Record<string, { inserted: number; updated: number; deleted: number }>;
}

interface SnapshotRow {
  resource: string;
  inserted: string | null;
  updated: string | null;
  deleted: string | null;
  feed_lag_seconds: number | string | null;
}

/**
 * Reads the database-derived series. Table statistics are PostgreSQL's (`pg_stat_user_tables`,
 * summed over the table and its `pg_partition_tree`, so a partitioned table counts every
 * partition): they count
 * what every writer did — the ingest CLI is another process — and reset only with the
 * statistics. The feed lag is the age of the oldest transaction with an xid anywhere on the
 * cluster, since that transaction is what holds back `pg_snapshot_xmin`, the feed's horizon.
 */
export async function readDatabaseSnapshot(db: Db, resourceTables: Record<string, string>): Promise<DatabaseSnapshot> {
  const resources = Object.keys(resourceTables);
  const tables = resources.map((r) => resourceTables[r]!);
  const { rows } = await sql<SnapshotRow>`
    with lag as (
      select extract(epoch from coalesce(max(clock_timestamp() - xact_start), interval '0'))::float8 as seconds
        from pg_stat_activity
       where backend_xid is not null
    )
    select t.resource,
           sum(s.n_tup_ins)::text as inserted,
           sum(s.n_tup_upd)::text as updated,
           sum(s.n_tup_del)::text as deleted,
           (select seconds from lag) as feed_lag_seconds
      from unnest(${resources}::text[], ${tables}::text[]) as t(resource, table_name)
      left join lateral (
             select t.table_name::regclass as relid
             union
             select relid from pg_partition_tree(t.table_name::regclass)
           ) as p on true
      left join pg_stat_user_tables as s on s.relid = p.relid
     group by t.resource`.execute(db);
  const counts: DatabaseSnapshot['rows'] = {};
  for (const row of rows) {
    counts[row.resource] = {
      inserted: Number(row.inserted ?? 0),
      updated: Number(row.updated ?? 0),
      deleted: Number(row.deleted ?? 0),
    };
  }
  const lag = rows[0]?.feed_lag_seconds;
  return {
    feedLagSeconds: lag === null || lag === undefined ? null : Number(lag),
    rows: counts,
  };
}
