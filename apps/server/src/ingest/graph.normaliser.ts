import type { SecurityAlert, Severity } from '@1security/contract';
import { z } from 'zod';
import type { SecurityAlertNormaliser } from './ingest.types';
import { rejected } from './ingest.types';
import {
  describeIssues,
  isJsonObject,
  microsoftTimestamp,
  optionalText,
  requiredText,
  textAt,
} from './microsoft-record';

/**
 * `--format graph`: Microsoft Graph security `alert` (alerts_v2) objects normalised into
 * security alerts. `rawData` is the object exactly as given. The maps below are the whole
 * mapping; `apps/server/docs/ingestion-mapping.md` is rendered from them.
 */

type Status = SecurityAlert['status'];
type Classification = NonNullable<SecurityAlert['classification']>;

/**
 * Graph `alertSeverity` → our severity. Graph has no `critical`: a Graph alert is never
 * stored as critical. `unknown` (no severity asserted) goes to the bottom of the scale
 * rather than inventing one; `rawData` keeps the original.
 */
export const GRAPH_SEVERITY_MAP = {
  unknown: 'informational',
  informational: 'informational',
  low: 'low',
  medium: 'medium',
  high: 'high',
  unknownFutureValue: 'informational',
} as const satisfies Record<string, Severity>;

/**
 * Graph `alertStatus` → our status. `unknown` and the evolvable-enum sentinel
 * `unknownFutureValue` become `new`: an alert nobody has triaged must stay in the queue.
 */
export const GRAPH_STATUS_MAP = {
  new: 'new',
  inProgress: 'inProgress',
  resolved: 'resolved',
  unknown: 'new',
  unknownFutureValue: 'new',
} as const satisfies Record<string, Status>;

/**
 * Graph `alertClassification` → ours. Graph's `unknown` ("not classified yet") stays
 * `unknown`; an absent or null classification stays null; the sentinel becomes `unknown`.
 */
export const GRAPH_CLASSIFICATION_MAP = {
  unknown: 'unknown',
  falsePositive: 'falsePositive',
  truePositive: 'truePositive',
  informationalExpectedActivity: 'informationalExpectedActivity',
  unknownFutureValue: 'unknown',
} as const satisfies Record<string, Classification>;

/** Defaults for fields Graph may leave null. */
export const GRAPH_DEFAULTS = {
  description: '',
  recommendedActions: '',
  category: 'Unknown',
  serviceSource: 'unknown',
} as const;

type User = SecurityAlert['users'][number];
type Group = SecurityAlert['groups'][number];
type Email = SecurityAlert['emails'][number];
type App = SecurityAlert['apps'][number];

type Extracted =
  | { target: 'users'; item: User }
  | { target: 'groups'; item: Group }
  | { target: 'emails'; item: Email }
  | { target: 'apps'; item: App };

export interface EvidenceExtractor {
  /** The evidence `@odata.type` without its `#microsoft.graph.security.` prefix. */
  odataType: string;
  target: Extracted['target'];
  /** Which evidence fields fill which item fields, in words (the first present wins). */
  fields: readonly [string, string][];
  extract: (evidence: Record<string, unknown>) => Extracted | null;
}

/** A cloudApplicationEvidence `appId` is an Int64 in Graph; ours is a string. */
function appIdOf(evidence: Record<string, unknown>): string | null {
  return textAt(evidence, 'appId');
}

/**
 * Which evidence types name users, groups, emails and apps. Every other evidence type
 * (device, file, process, ip, url, registry, mailCluster…) is left in `rawData` only; in
 * particular a process's `userAccount` (often SYSTEM) is not a user the alert is about.
 */
export const EVIDENCE_EXTRACTORS: readonly EvidenceExtractor[] = [
  {
    odataType: 'userEvidence',
    target: 'users',
    fields: [
      ['userPrincipalName', 'userAccount.userPrincipalName'],
      ['displayName', 'userAccount.displayName'],
    ],
    extract: (e) => {
      const user = {
        userPrincipalName: textAt(e, 'userAccount.userPrincipalName'),
        displayName: textAt(e, 'userAccount.displayName'),
      };
      return user.userPrincipalName || user.displayName ? { target: 'users', item: user } : null;
    },
  },
  {
    odataType: 'mailboxEvidence',
    target: 'users',
    fields: [
      ['userPrincipalName', 'upn, userAccount.userPrincipalName, primaryAddress'],
      ['displayName', 'displayName, userAccount.displayName'],
    ],
    extract: (e) => {
      const user = {
        userPrincipalName:
          textAt(e, 'upn') ?? textAt(e, 'userAccount.userPrincipalName') ?? textAt(e, 'primaryAddress'),
        displayName: textAt(e, 'displayName') ?? textAt(e, 'userAccount.displayName'),
      };
      return user.userPrincipalName || user.displayName ? { target: 'users', item: user } : null;
    },
  },
  {
    odataType: 'securityGroupEvidence',
    target: 'groups',
    fields: [
      ['id', 'securityGroupId, activeDirectoryObjectGuid, sid'],
      ['displayName', 'displayName, friendlyName'],
    ],
    extract: (e) => {
      const id = textAt(e, 'securityGroupId') ?? textAt(e, 'activeDirectoryObjectGuid') ?? textAt(e, 'sid');
      return id
        ? { target: 'groups', item: { id, displayName: textAt(e, 'displayName') ?? textAt(e, 'friendlyName') } }
        : null;
    },
  },
  {
    odataType: 'analyzedMessageEvidence',
    target: 'emails',
    fields: [
      ['subject', 'subject'],
      ['sender', 'p2Sender.emailAddress (the From: the recipient saw), p1Sender.emailAddress (the envelope sender)'],
      ['recipient', 'recipientEmailAddress'],
      ['networkMessageId', 'networkMessageId'],
    ],
    extract: (e) => ({
      target: 'emails',
      item: {
        subject: textAt(e, 'subject'),
        sender: textAt(e, 'p2Sender.emailAddress') ?? textAt(e, 'p1Sender.emailAddress'),
        recipient: textAt(e, 'recipientEmailAddress'),
        networkMessageId: textAt(e, 'networkMessageId'),
      },
    }),
  },
  {
    odataType: 'oauthApplicationEvidence',
    target: 'apps',
    fields: [
      ['appId', 'appId'],
      ['displayName', 'displayName'],
    ],
    extract: (e) => {
      const app = { appId: appIdOf(e), displayName: textAt(e, 'displayName') };
      return app.appId || app.displayName ? { target: 'apps', item: app } : null;
    },
  },
  {
    odataType: 'cloudApplicationEvidence',
    target: 'apps',
    fields: [
      ['appId', 'appId (an Int64 in Graph, stored as its decimal string)'],
      ['displayName', 'displayName'],
    ],
    extract: (e) => {
      const app = { appId: appIdOf(e), displayName: textAt(e, 'displayName') };
      return app.appId || app.displayName ? { target: 'apps', item: app } : null;
    },
  },
];

/** How two extracted items are recognised as the same (case-insensitively); the first one seen is kept. */
export const DEDUPLICATION_KEYS: Readonly<Record<Extracted['target'], string>> = {
  users: 'userPrincipalName, else displayName',
  groups: 'id',
  emails: 'networkMessageId + recipient, else subject + sender + recipient',
  apps: 'appId, else displayName',
};

function dedupeKey(extracted: Extracted): string {
  const lower = (value: string | null) => (value ?? '').toLowerCase();
  switch (extracted.target) {
    case 'users':
      return extracted.item.userPrincipalName
        ? `upn:${lower(extracted.item.userPrincipalName)}`
        : `name:${lower(extracted.item.displayName)}`;
    case 'groups':
      return lower(extracted.item.id);
    case 'emails': {
      const { networkMessageId, recipient, subject, sender } = extracted.item;
      return networkMessageId
        ? `id:${lower(networkMessageId)}|${lower(recipient)}`
        : `msg:${lower(subject)}|${lower(sender)}|${lower(recipient)}`;
    }
    case 'apps':
      return extracted.item.appId ? `id:${lower(extracted.item.appId)}` : `name:${lower(extracted.item.displayName)}`;
  }
}

const EXTRACTOR_BY_TYPE = new Map(EVIDENCE_EXTRACTORS.map((e) => [e.odataType.toLowerCase(), e]));

/** `#microsoft.graph.security.userEvidence` → `userevidence`. */
function evidenceType(evidence: Record<string, unknown>): string {
  const raw = typeof evidence['@odata.type'] === 'string' ? evidence['@odata.type'] : '';
  return raw.slice(raw.lastIndexOf('.') + 1).toLowerCase();
}

/** users/groups/emails/apps named by the evidence, deduplicated, in evidence order. */
export function extractEvidence(evidence: readonly unknown[]) {
  const found = { users: [] as User[], groups: [] as Group[], emails: [] as Email[], apps: [] as App[] };
  const seen = new Map<string, Extracted>();
  for (const entry of evidence) {
    if (!isJsonObject(entry)) continue;
    const extracted = EXTRACTOR_BY_TYPE.get(evidenceType(entry))?.extract(entry);
    if (!extracted) continue;
    const key = `${extracted.target}:${dedupeKey(extracted)}`;
    const earlier = seen.get(key);
    if (earlier) {
      // The same user from userEvidence and mailboxEvidence: fill what the first one lacked.
      if (earlier.target === 'users' && extracted.target === 'users')
        earlier.item.displayName ??= extracted.item.displayName;
      continue;
    }
    seen.set(key, extracted);
    switch (extracted.target) {
      case 'users':
        found.users.push(extracted.item);
        break;
      case 'groups':
        found.groups.push(extracted.item);
        break;
      case 'emails':
        found.emails.push(extracted.item);
        break;
      case 'apps':
        found.apps.push(extracted.item);
        break;
    }
  }
  return found;
}

function enumField<T extends Record<string, string>>(map: T, field: string) {
  const allowed = Object.keys(map) as [keyof T & string, ...(keyof T & string)[]];
  return z.enum(allowed, {
    errorMap: (issue, ctx) => ({
      message:
        ctx.data === undefined
          ? 'is required'
          : `must be one of ${allowed.join(', ')} (Graph ${field}), got ${JSON.stringify(ctx.data)}`,
    }),
  });
}

const GraphAlertSchema = z.object(
  {
    id: requiredText(256),
    title: requiredText(),
    description: optionalText(),
    severity: enumField(GRAPH_SEVERITY_MAP, 'alertSeverity'),
    status: enumField(GRAPH_STATUS_MAP, 'alertStatus'),
    classification: enumField(GRAPH_CLASSIFICATION_MAP, 'alertClassification').nullish(),
    category: optionalText(),
    threatDisplayName: optionalText(),
    serviceSource: optionalText(),
    recommendedActions: optionalText(),
    createdDateTime: microsoftTimestamp(),
    lastUpdateDateTime: microsoftTimestamp().nullish(),
    firstActivityDateTime: microsoftTimestamp().nullish(),
    evidence: z.array(z.unknown(), { invalid_type_error: 'must be an array' }).nullish(),
    mitreTechniques: z
      .array(z.string({ invalid_type_error: 'must be an array of strings' }), {
        invalid_type_error: 'must be an array of strings',
      })
      .nullish(),
  },
  { invalid_type_error: 'must be a JSON object', required_error: 'must be a JSON object' },
);

/** Blank text counts as absent. */
function text(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

export const normaliseGraphAlert: SecurityAlertNormaliser = (record, ctx) => {
  const parsed = GraphAlertSchema.safeParse(record);
  if (!parsed.success) return rejected(describeIssues(parsed.error));
  const a = parsed.data;
  const { users, groups, emails, apps } = extractEvidence(a.evidence ?? []);
  return {
    ok: true,
    row: {
      tenant_id: ctx.tenantId,
      id: ctx.newId(),
      source_id: a.id,
      title: a.title,
      description: a.description ?? GRAPH_DEFAULTS.description,
      severity: GRAPH_SEVERITY_MAP[a.severity],
      status: GRAPH_STATUS_MAP[a.status],
      classification: a.classification ? GRAPH_CLASSIFICATION_MAP[a.classification] : null,
      category: text(a.category) ?? GRAPH_DEFAULTS.category,
      mitre_techniques: JSON.stringify(a.mitreTechniques ?? []),
      threat_display_name: text(a.threatDisplayName),
      first_activity_at: a.firstActivityDateTime ?? null,
      service_source: text(a.serviceSource) ?? GRAPH_DEFAULTS.serviceSource,
      users: JSON.stringify(users),
      groups: JSON.stringify(groups),
      emails: JSON.stringify(emails),
      apps: JSON.stringify(apps),
      raw_data: JSON.stringify(record),
      recommended_actions: a.recommendedActions ?? GRAPH_DEFAULTS.recommendedActions,
      created_at: a.createdDateTime,
      updated_at: a.lastUpdateDateTime ?? a.createdDateTime,
    },
  };
};
