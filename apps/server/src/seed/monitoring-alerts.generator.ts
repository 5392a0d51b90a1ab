import { ulid } from 'ulid';
import type { NewMonitoringAlertRow } from '../monitoring-alerts/monitoring-alerts.table';
import { ActivityTimeline } from './activity-timeline';
import type { GenerateOptions } from './generator-options';
import { POLICY_PICKER, SEVERITY_PICKERS, STATUS } from './monitoring-alerts.catalog';
import { SeededRandom, type WeightedPicker } from './seeded-random';
import type { Severity } from '@1security/contract';

/**
 * Alerts raised by 1Security's own monitoring policies over the tenant's configuration and
 * activity, in every triage state: `resolvedAt` is set exactly when resolved, `snoozedAt`
 * when snoozed (or snoozed before), and `updatedAt` is the latest of those changes.
 * The catalogue (policies and their drafts, weights) is monitoring-alerts.catalog.ts.
 */

/** The policy's id is stable per tenant, whatever the seed: a tenant has each policy once. */
function policyId(tenantId: string, policyName: string): string {
  return new SeededRandom(`${tenantId}:${policyName}`).guid();
}

export function* generateMonitoringAlerts(options: GenerateOptions): Generator<NewMonitoringAlertRow> {
  const { random, directory, count, tenantId, now } = options;
  const windowMs = (options.windowDays ?? 30) * 86_400_000;
  const timeline = new ActivityTimeline(random.fork('timeline'), { start: now - windowMs, end: now - 60_000 });
  // A change some time after `from`; for a young alert, somewhere between `from` and now.
  const later = (from: number, min: number, median: number, max: number) => {
    const at = from + random.skewed(min, median, max);
    const fraction = random.next(); // drawn either way: the same seed draws the same numbers whatever `now` is
    return at < now ? at : from + Math.floor(fraction * (now - from));
  };
  const MINUTE = 60_000;
  const HOUR = 60 * MINUTE;

  for (let i = 0; i < count; i++) {
    const policy = POLICY_PICKER.pick(random);
    const user = directory.activeUser.pick(random);
    const drafted = policy.draft({ random, directory, user });
    const severity: Severity = (SEVERITY_PICKERS.get(policy) as WeightedPicker<Severity>).pick(random);
    const status = STATUS.pick(random);
    const created = timeline.random(random);

    let updated = created;
    let resolvedAt: number | null = null;
    let snoozedAt: number | null = null;
    if (status === 'resolved') {
      if (random.chance(0.15)) snoozedAt = later(created, 10 * MINUTE, 4 * HOUR, 2 * 24 * HOUR);
      resolvedAt = later(snoozedAt ?? created, 20 * MINUTE, 20 * HOUR, 10 * 24 * HOUR);
      updated = resolvedAt;
    } else if (status === 'snoozed') {
      snoozedAt = later(created, 5 * MINUTE, 3 * HOUR, 4 * 24 * HOUR);
      updated = snoozedAt;
    } else if (status === 'acknowledged') {
      updated = later(created, 2 * MINUTE, 90 * MINUTE, 3 * 24 * HOUR);
    } else if (random.chance(0.25)) {
      // Open again after a snooze ran out, or re-evaluated with more findings.
      if (random.chance(0.5)) snoozedAt = later(created, 5 * MINUTE, 2 * HOUR, 2 * 24 * HOUR);
      updated = later(snoozedAt ?? created, 30 * MINUTE, 6 * HOUR, 3 * 24 * HOUR);
    }
    const lastScan =
      resolvedAt !== null
        ? Math.max(created, resolvedAt - random.int(0, HOUR))
        : Math.max(created, now - random.int(0, HOUR));
    const assigned =
      status === 'open' ? random.chance(0.4) : status === 'acknowledged' ? random.chance(0.95) : random.chance(0.85);
    const analyst = random.pick(directory.analysts);

    yield {
      tenant_id: tenantId,
      id: ulid(created, random.prng),
      source_id: random.guid(),
      name: drafted.name,
      severity,
      status,
      resource_type: policy.resourceType,
      resources: JSON.stringify(drafted.resources),
      assigned_user: JSON.stringify(
        assigned ? { id: analyst.objectId, displayName: analyst.displayName, email: analyst.userPrincipalName } : null,
      ),
      description: drafted.description,
      created_from: JSON.stringify({ policyId: policyId(tenantId, policy.policyName), policyName: policy.policyName }),
      last_scan: new Date(lastScan),
      resolved_at: resolvedAt === null ? null : new Date(resolvedAt),
      snoozed_at: snoozedAt === null ? null : new Date(snoozedAt),
      created_at: new Date(created),
      updated_at: new Date(updated),
    };
  }
}
