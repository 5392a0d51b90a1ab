import { sql, type ExpressionBuilder } from 'kysely';
import type { Database } from '../db/schema';

/** The tables of the two alert resources, whose `isResolved` is derived from `status`. */
type AlertTable = 'monitoring_alerts' | 'security_alerts';

/**
 * `isResolved` as both alert resources show it: computed from `status` rather than stored, so the
 * two can never disagree.
 */
export const IS_RESOLVED_COLUMN = sql<boolean>`status = 'resolved'`.as('isResolved');

/** The `isResolved` filter: the same rule as {@link IS_RESOLVED_COLUMN}, on the `status` column. */
export function isResolvedClause(value: boolean, eb: ExpressionBuilder<Database, AlertTable>) {
  return eb('status', value ? '=' : '<>', 'resolved');
}
