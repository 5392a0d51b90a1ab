import type { ActorType } from '@1security/contract';
import { ulid } from 'ulid';
import { OPERATION_RESOURCE_TYPE, severityOf } from '../ingest/o365.normaliser';
import type { NewLogEventRow } from '../logs/logs.table';
import { ActivityTimeline } from './activity-timeline';
import type { GenerateOptions } from './generator-options';
import { WeightedPicker } from './seeded-random';
import { HOME_DOMAIN, oneDriveUrl, publicIp, siteUrl, unfamiliarIp, type DirectoryUser } from './tenant-directory';
import {
  APPLICATION_ACTORS,
  CHANNELS,
  COMPLIANCE_ALERTS,
  FILE_BASES,
  FILE_EXTENSIONS,
  FILE_SUFFIXES,
  FOLDERS,
  FREEMAIL,
  INBOX_RULES,
  ITEM_TYPES,
  MEETINGS,
  MICROSOFT_FIRST_OCTETS,
  OD,
  OPERATIONS,
  PAGES,
  REPORTS,
  ROLES,
  SEARCHES,
  SERVICE_PRINCIPALS,
  SIGN_IN_TARGETS,
  SP,
  SUBJECTS,
  SYSTEM_ACTORS,
  UNKNOWN_ACCOUNTS,
  type ActorKind,
  type OperationSpec,
} from './logs.catalog';

/**
 * Microsoft 365 audit events as the Office 365 Management Activity API reports them: real
 * workloads and operation names in realistic proportions (MailItemsAccessed and UserLoggedIn
 * everywhere, role changes and anonymous links rarely), real-looking actors and addresses.
 *
 * Severity and resource type are what `ingest --format o365` would assign the same record:
 * they come from its documented mapping (o365.normaliser.ts), escalations included (an inbox
 * rule that forwards mail is high, a Global Administrator grant critical…), so seeded data
 * and ingested data never disagree about what deserves an analyst's look.
 */

interface CompiledOperation extends OperationSpec {
  actorPicker: WeightedPicker<ActorKind>;
  appPicker: WeightedPicker<string | null>;
}

const COMPILED = OPERATIONS.map((spec): CompiledOperation => ({
  ...spec,
  actorPicker: new WeightedPicker(Object.entries(spec.actors) as Array<[ActorKind, number]>),
  appPicker: new WeightedPicker(spec.apps),
}));
const OPERATION_PICKER = new WeightedPicker(COMPILED.map((o) => [o, o.weight] as const));

interface Actor {
  name: string;
  type: ActorType;
  ip: string | null;
  user?: DirectoryUser;
}

/**
 * Yields `count` events in increasing `occurredAt` order (discovery lags a few seconds to
 * minutes behind, as with the Management Activity API). Memory use does not grow with count.
 */
export function* generateLogEvents(options: GenerateOptions): Generator<NewLogEventRow> {
  const { random, directory, count, tenantId, now } = options;
  const windowMs = (options.windowDays ?? 30) * 86_400_000;
  const timeline = new ActivityTimeline(random.fork('timeline'), { start: now - windowMs, end: now - 60_000 });

  const actorFor = (kind: ActorKind, spec: CompiledOperation): Actor => {
    switch (kind) {
      case 'member':
      case 'admin': {
        const user = kind === 'admin' ? random.pick(directory.admins) : directory.activeUser.pick(random);
        // Mostly the office, else home; now and then somewhere this person never is.
        const roll = random.next();
        const ip =
          roll < 0.03
            ? unfamiliarIp(random)
            : roll < (kind === 'admin' ? 0.85 : 0.62) || user.homeIps.length === 0
              ? random.pick(directory.officeIps)
              : random.pick(user.homeIps);
        return { name: user.userPrincipalName, type: kind === 'admin' ? 'admin' : 'user', ip, user };
      }
      case 'guest': {
        const guest = random.pick(directory.guests);
        return {
          name: guest.userPrincipalName,
          type: 'guest',
          ip: random.chance(0.05) ? unfamiliarIp(random) : guest.ip,
        };
      }
      case 'application':
      case 'servicePrincipal':
        return {
          name: random.pick(kind === 'application' ? APPLICATION_ACTORS : SERVICE_PRINCIPALS),
          type: kind,
          ip: random.chance(0.5) ? publicIp(random, MICROSOFT_FIRST_OCTETS) : null,
        };
      case 'system':
        return { name: SYSTEM_ACTORS[spec.workload] ?? 'Microsoft Online Services', type: 'system', ip: null };
      case 'unknown': {
        const name =
          spec.action === 'AnonymousLinkUsed'
            ? 'urn:spo:anon#' + random.hex(40)
            : `${random.pick(UNKNOWN_ACCOUNTS)}@${HOME_DOMAIN}`;
        return { name, type: 'unknown', ip: random.chance(0.7) ? unfamiliarIp(random) : publicIp(random) };
      }
    }
  };

  const fileName = () => `${random.pick(FILE_BASES)}${random.pick(FILE_SUFFIXES)}.${FILE_EXTENSIONS.pick(random)}`;
  const otherUser = () => random.pick(directory.users);

  const resourceFor = (spec: CompiledOperation, actor: Actor): { name: string | null; type: string } => {
    switch (spec.resource) {
      case 'file':
        return { name: fileName(), type: 'file' };
      case 'folder':
        return { name: random.pick(FOLDERS), type: 'folder' };
      case 'site':
        return { name: siteUrl(random.pick(directory.sites)), type: 'site' };
      case 'page':
        return { name: `${siteUrl(random.pick(directory.sites))}/SitePages/${random.pick(PAGES)}`, type: 'page' };
      case 'mailbox':
        return { name: actor.user?.userPrincipalName ?? otherUser().userPrincipalName, type: 'mailbox' };
      case 'otherMailbox':
        return { name: otherUser().userPrincipalName, type: 'mailbox' };
      case 'inboxRule':
        return { name: random.pick(INBOX_RULES), type: 'inboxRule' };
      case 'message':
        return { name: random.pick(SUBJECTS), type: 'message' };
      case 'user':
        return {
          name: (spec.action === 'Change user password.' && actor.user ? actor.user : otherUser()).userPrincipalName,
          type: 'user',
        };
      case 'signInTarget':
        return { name: SIGN_IN_TARGETS.pick(random), type: 'application' };
      case 'application':
        return { name: random.pick(directory.apps).displayName, type: 'application' };
      case 'role':
        return { name: ROLES.pick(random), type: 'role' };
      case 'group':
        return { name: random.pick(directory.groups).name, type: 'group' };
      case 'team':
        return { name: random.pick(directory.teams).name, type: 'team' };
      case 'channel':
        return { name: `${random.pick(directory.teams).name} / ${random.pick(CHANNELS)}`, type: 'channel' };
      case 'meeting':
        return { name: random.pick(MEETINGS), type: 'meeting' };
      case 'chat':
        return {
          name: random.chance(0.6) ? `Chat with ${otherUser().displayName}` : random.pick(directory.teams).name,
          type: 'chat',
        };
      case 'session':
        return { name: null, type: 'session' };
      case 'policy':
        return { name: random.pick(directory.policies).name, type: 'policy' };
      case 'report':
        return { name: random.pick(REPORTS), type: 'report' };
      case 'alert':
        return { name: random.pick(COMPLIANCE_ALERTS), type: 'alert' };
      case 'search':
        return { name: random.pick(SEARCHES), type: 'search' };
    }
  };

  const externalAddress = () =>
    `${random.pick(['archive', 'mail', 'backup', 'j.smith'])}${random.int(1, 99)}@${random.pick(FREEMAIL)}`;
  /**
   * The fields of the raw audit record that ingestion's severity escalations read, so that
   * some events are the risky variant of their operation (a rule forwarding mail outside, a
   * Global Administrator grant, tenant-wide consent, sharing with a guest…).
   */
  const escalationFacts = (
    spec: CompiledOperation,
    actor: Actor,
    resourceName: string | null,
  ): Record<string, unknown> => {
    switch (spec.action) {
      case 'New-InboxRule':
      case 'Set-InboxRule':
        return random.chance(0.25) ? { Parameters: [{ Name: 'ForwardTo', Value: externalAddress() }] } : {};
      case 'Set-Mailbox':
        return random.chance(0.2)
          ? { Parameters: [{ Name: 'ForwardingSmtpAddress', Value: `smtp:${externalAddress()}` }] }
          : {};
      case 'Add-MailboxPermission':
        return { Parameters: [{ Name: 'AccessRights', Value: random.chance(0.4) ? 'FullAccess' : 'ReadPermission' }] };
      case 'Add member to role.':
        return { ModifiedProperties: [{ Name: 'Role.DisplayName', NewValue: resourceName }] };
      case 'Consent to application.':
        return {
          ModifiedProperties: [
            {
              Name: 'ConsentContext.IsAdminConsent',
              NewValue: actor.type === 'admin' && random.chance(0.5) ? 'True' : 'False',
            },
          ],
        };
      case 'SharingSet':
      case 'SharingInvitationCreated':
        return { TargetUserOrGroupType: random.chance(0.3) ? 'Guest' : 'Member' };
      case 'MemberAdded':
        return { Members: [{ Role: random.chance(0.25) ? 2 : 1 }] };
      default:
        return {};
    }
  };

  for (let i = 0; i < count; i++) {
    const spec = OPERATION_PICKER.pick(random);
    const actor = actorFor(spec.actorPicker.pick(random), spec);
    const resource = resourceFor(spec, actor);
    const severity = severityOf(spec.action, spec.recordType, escalationFacts(spec, actor, resource.name));
    // As ingestion decides: SharePoint's ItemType (file, folder, site, page) first, then the operation.
    const resourceType =
      (spec.workload === SP || spec.workload === OD) && ITEM_TYPES.has(resource.type)
        ? resource.type
        : (OPERATION_RESOURCE_TYPE[spec.action] ?? resource.type);
    const app =
      actor.type === 'application' || actor.type === 'servicePrincipal' ? actor.name : spec.appPicker.pick(random);
    // Audit records carry whole seconds; 1Security stamps discovery to the millisecond.
    const occurred = Math.floor(timeline.at((i + random.next()) / count) / 1000) * 1000;
    const discovered = Math.min(now, occurred + random.skewed(2_000, 40_000, 20 * 60_000) + random.int(0, 999));
    yield {
      tenant_id: tenantId,
      id: ulid(discovered, random.prng),
      source_id: random.guid(),
      occurred_at: new Date(occurred),
      discovered_at: new Date(discovered),
      action: spec.action,
      severity,
      actor_name: actor.name,
      actor_type: actor.type,
      actor_ip: actor.ip,
      resource_name:
        spec.workload === OD && resource.type === 'file' && actor.user && random.chance(0.1)
          ? `${oneDriveUrl(actor.user)}/Documents/${resource.name}`
          : resource.name,
      resource_type: resourceType,
      workload: spec.workload,
      application_display_name: app,
    };
  }
}
