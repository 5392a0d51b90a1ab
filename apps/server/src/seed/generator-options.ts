import type { SeededRandom } from './seeded-random';
import type { TenantDirectory } from './tenant-directory';

/** What every seed generator (logs, monitoring alerts, security alerts) is given. */
export interface GenerateOptions {
  tenantId: string;
  count: number;
  /** The end of the generated window: items span the `windowDays` (default 30) days before it. */
  now: number;
  random: SeededRandom;
  directory: TenantDirectory;
  windowDays?: number;
}
