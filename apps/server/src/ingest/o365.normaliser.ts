import net from 'node:net';
import { SEVERITIES, type ActorType, type Severity } from '@1security/contract';
import { z } from 'zod';
import type { LogNormaliser } from './ingest.types';
import { rejected } from './ingest.types';
import {
  describeIssues,
  firstTextAt,
  isJsonObject,
  microsoftTimestamp,
  optionalText,
  requiredText,
  textAt,
} from './microsoft-record';

/**
 * `--format o365`: Office 365 Management Activity API audit records (the common schema plus
 * the workload-specific fields) normalised into log events.
 *
 * Every decision is a table below. `apps/server/docs/ingestion-mapping.md` is rendered from
 * these same tables (see ingestion-mapping.document.ts), and the tests walk them row by row,
 * so the documentation cannot drift from the code.
 */

// ---------------------------------------------------------------------------------------
// Who acted: UserType → actorType
// ---------------------------------------------------------------------------------------

/** The common schema's `UserType` enum (0-8) and the actorType each value becomes. */
export const USER_TYPE_TO_ACTOR_TYPE = {
  0: { name: 'Regular', actorType: 'user', note: 'A regular user.' },
  1: { name: 'Reserved', actorType: 'unknown', note: 'Microsoft reserves it and documents nothing more.' },
  2: { name: 'Admin', actorType: 'admin', note: 'An administrator.' },
  3: {
    name: 'DcAdmin',
    actorType: 'admin',
    note: 'A Microsoft datacenter operator: an administrator, just not yours.',
  },
  4: { name: 'System', actorType: 'system', note: 'A system account.' },
  5: { name: 'Application', actorType: 'application', note: 'An application.' },
  6: { name: 'ServicePrincipal', actorType: 'servicePrincipal', note: 'A service principal.' },
  7: {
    name: 'CustomPolicy',
    actorType: 'system',
    note: 'A policy you configured acted (e.g. retention): automation, not a person.',
  },
  8: { name: 'SystemPolicy', actorType: 'system', note: 'A Microsoft-managed policy acted.' },
} as const satisfies Record<number, { name: string; actorType: ActorType; note: string }>;

export type O365UserType = keyof typeof USER_TYPE_TO_ACTOR_TYPE;

/** UserType values whose actorType an identity rule below may refine. */
export const REFINABLE_USER_TYPES: readonly (O365UserType | 'absent or unrecognised')[] = [
  0,
  1,
  'absent or unrecognised',
];

/**
 * Identities the UserType does not reveal. They refine only a Regular or Reserved UserType
 * (or a missing/unrecognised one): an Admin, System, Application… UserType always wins,
 * because what an identity was allowed to do matters more than where its account lives
 * (a B2B guest holding an admin role is reported as `admin`).
 */
export const ACTOR_IDENTITY_RULES: readonly {
  match: RegExp;
  pattern: string;
  example: string;
  actorType: ActorType;
  why: string;
}[] = [
  {
    match: /#EXT#/i,
    pattern: 'UserId contains `#EXT#`',
    example: 'tom.baker_fabrikam.com#EXT#@contoso.onmicrosoft.com',
    actorType: 'guest',
    why: 'Entra ID B2B guests sign in as `name_home.com#EXT#@tenant.onmicrosoft.com`; their UserType is Regular.',
  },
  {
    match: /^app@sharepoint$/i,
    pattern: 'UserId is `app@sharepoint`',
    example: 'app@sharepoint',
    actorType: 'application',
    why: 'Microsoft documents it as an application acting with tenant-wide SharePoint permissions.',
  },
  {
    match: /^(SHAREPOINT\\system|NT AUTHORITY\\SYSTEM\b.*)$/i,
    pattern: 'UserId is `SHAREPOINT\\system` or `NT AUTHORITY\\SYSTEM (…)`',
    example: 'NT AUTHORITY\\SYSTEM (Microsoft.Exchange.ServiceHost)',
    actorType: 'system',
    why: 'Microsoft documents these as system accounts.',
  },
];

// ---------------------------------------------------------------------------------------
// What kind of record: RecordType → workload fallback, default resourceType and severity
// ---------------------------------------------------------------------------------------

export interface RecordTypeMapping {
  name: string;
  /** Used only when the record carries no `Workload`. */
  workload: string;
  /** Used when neither the item type nor the operation says what was acted on. */
  resourceType: string;
  /** Used for operations OPERATION_SEVERITY does not list. */
  severity: Severity;
}

/** The AuditLogRecordType values seen in practice (others fall back to the defaults below). */
export const RECORD_TYPES: Readonly<Record<number, RecordTypeMapping>> = {
  1: { name: 'ExchangeAdmin', workload: 'Exchange', resourceType: 'configuration', severity: 'low' },
  2: { name: 'ExchangeItem', workload: 'Exchange', resourceType: 'message', severity: 'informational' },
  3: { name: 'ExchangeItemGroup', workload: 'Exchange', resourceType: 'message', severity: 'informational' },
  4: { name: 'SharePoint', workload: 'SharePoint', resourceType: 'site', severity: 'informational' },
  6: { name: 'SharePointFileOperation', workload: 'SharePoint', resourceType: 'file', severity: 'informational' },
  7: { name: 'OneDrive', workload: 'OneDrive', resourceType: 'file', severity: 'informational' },
  8: {
    name: 'AzureActiveDirectory',
    workload: 'AzureActiveDirectory',
    resourceType: 'directoryObject',
    severity: 'low',
  },
  9: {
    name: 'AzureActiveDirectoryAccountLogon',
    workload: 'AzureActiveDirectory',
    resourceType: 'application',
    severity: 'informational',
  },
  11: { name: 'ComplianceDLPSharePoint', workload: 'SharePoint', resourceType: 'file', severity: 'medium' },
  13: { name: 'ComplianceDLPExchange', workload: 'Exchange', resourceType: 'message', severity: 'medium' },
  14: { name: 'SharePointSharingOperation', workload: 'SharePoint', resourceType: 'file', severity: 'low' },
  15: {
    name: 'AzureActiveDirectoryStsLogon',
    workload: 'AzureActiveDirectory',
    resourceType: 'application',
    severity: 'informational',
  },
  18: {
    name: 'SecurityComplianceCenterEOPCmdlet',
    workload: 'SecurityComplianceCenter',
    resourceType: 'configuration',
    severity: 'low',
  },
  19: { name: 'ExchangeAggregatedOperation', workload: 'Exchange', resourceType: 'mailbox', severity: 'informational' },
  25: { name: 'MicrosoftTeams', workload: 'MicrosoftTeams', resourceType: 'team', severity: 'informational' },
  28: { name: 'ThreatIntelligence', workload: 'ThreatIntelligence', resourceType: 'message', severity: 'medium' },
  36: { name: 'SharePointListOperation', workload: 'SharePoint', resourceType: 'list', severity: 'informational' },
  40: {
    name: 'SecurityComplianceAlerts',
    workload: 'SecurityComplianceCenter',
    resourceType: 'alert',
    severity: 'medium',
  },
  50: { name: 'ExchangeItemAggregated', workload: 'Exchange', resourceType: 'mailbox', severity: 'informational' },
  54: {
    name: 'SharePointListItemOperation',
    workload: 'SharePoint',
    resourceType: 'listItem',
    severity: 'informational',
  },
  57: { name: 'MicrosoftTeamsAdmin', workload: 'MicrosoftTeams', resourceType: 'configuration', severity: 'low' },
};

/** When nothing above applies. */
export const FALLBACKS = {
  workload: 'Unknown',
  resourceType: 'unknown',
  severity: 'informational',
} as const satisfies {
  workload: string;
  resourceType: string;
  severity: Severity;
};

// ---------------------------------------------------------------------------------------
// What was done: Operation → severity and resourceType
// ---------------------------------------------------------------------------------------

export interface OperationMapping {
  operation: string;
  /** For the documentation's grouping only; the operation name alone decides. */
  group: string;
  severity: Severity;
  /** Omitted where the object's kind depends on the workload (the RecordType decides). */
  resourceType?: string;
}

const SP = 'SharePoint / OneDrive';
const EXO = 'Exchange mailbox';
const EXA = 'Exchange admin (cmdlets)';
const AAD = 'Azure Active Directory';
const TEAMS = 'Microsoft Teams';
const SCC = 'Security & Compliance';

/**
 * The operations we rate. An audit record describes one action, so "many downloads in a
 * minute" cannot be seen here: bulk behaviour is a monitoring policy's job, not the
 * normaliser's. Severity here is how much one such action deserves an analyst's look.
 */
export const OPERATIONS: readonly OperationMapping[] = [
  { group: SP, operation: 'FileAccessed', severity: 'informational', resourceType: 'file' },
  { group: SP, operation: 'FilePreviewed', severity: 'informational', resourceType: 'file' },
  { group: SP, operation: 'FileModified', severity: 'informational', resourceType: 'file' },
  { group: SP, operation: 'FileUploaded', severity: 'informational', resourceType: 'file' },
  { group: SP, operation: 'FileCopied', severity: 'informational', resourceType: 'file' },
  { group: SP, operation: 'FileRenamed', severity: 'informational', resourceType: 'file' },
  { group: SP, operation: 'FileMoved', severity: 'low', resourceType: 'file' },
  { group: SP, operation: 'FileDownloaded', severity: 'low', resourceType: 'file' },
  { group: SP, operation: 'FileSyncDownloadedFull', severity: 'medium', resourceType: 'file' },
  { group: SP, operation: 'FileDeleted', severity: 'low', resourceType: 'file' },
  { group: SP, operation: 'FileRecycled', severity: 'low', resourceType: 'file' },
  { group: SP, operation: 'FileDeletedFirstStageRecycleBin', severity: 'low', resourceType: 'file' },
  { group: SP, operation: 'FileDeletedSecondStageRecycleBin', severity: 'medium', resourceType: 'file' },
  { group: SP, operation: 'FileMalwareDetected', severity: 'high', resourceType: 'file' },
  { group: SP, operation: 'FolderCreated', severity: 'informational', resourceType: 'folder' },
  { group: SP, operation: 'FolderDeleted', severity: 'medium', resourceType: 'folder' },
  { group: SP, operation: 'SharingSet', severity: 'low', resourceType: 'file' },
  { group: SP, operation: 'SharingInvitationCreated', severity: 'low', resourceType: 'file' },
  { group: SP, operation: 'SharingInvitationAccepted', severity: 'informational', resourceType: 'file' },
  { group: SP, operation: 'SharingRevoked', severity: 'informational', resourceType: 'file' },
  { group: SP, operation: 'SecureLinkCreated', severity: 'low', resourceType: 'file' },
  { group: SP, operation: 'AddedToSecureLink', severity: 'low', resourceType: 'file' },
  { group: SP, operation: 'CompanyLinkCreated', severity: 'low', resourceType: 'file' },
  { group: SP, operation: 'AnonymousLinkCreated', severity: 'high', resourceType: 'file' },
  { group: SP, operation: 'AnonymousLinkUpdated', severity: 'medium', resourceType: 'file' },
  { group: SP, operation: 'AnonymousLinkUsed', severity: 'medium', resourceType: 'file' },
  { group: SP, operation: 'AccessRequestCreated', severity: 'informational', resourceType: 'site' },
  { group: SP, operation: 'PermissionLevelAdded', severity: 'medium', resourceType: 'site' },
  { group: SP, operation: 'SiteCollectionCreated', severity: 'low', resourceType: 'site' },
  { group: SP, operation: 'SiteCollectionAdminAdded', severity: 'high', resourceType: 'site' },
  { group: SP, operation: 'SiteDeleted', severity: 'high', resourceType: 'site' },
  { group: SP, operation: 'SharingPolicyChanged', severity: 'high', resourceType: 'site' },
  { group: SP, operation: 'PageViewed', severity: 'informational', resourceType: 'page' },

  { group: EXO, operation: 'MailboxLogin', severity: 'informational', resourceType: 'mailbox' },
  { group: EXO, operation: 'MailItemsAccessed', severity: 'informational', resourceType: 'mailbox' },
  { group: EXO, operation: 'Send', severity: 'informational', resourceType: 'message' },
  { group: EXO, operation: 'SendOnBehalf', severity: 'low', resourceType: 'message' },
  { group: EXO, operation: 'SendAs', severity: 'medium', resourceType: 'message' },
  { group: EXO, operation: 'MoveToDeletedItems', severity: 'informational', resourceType: 'message' },
  { group: EXO, operation: 'SoftDelete', severity: 'low', resourceType: 'message' },
  { group: EXO, operation: 'HardDelete', severity: 'medium', resourceType: 'message' },
  { group: EXO, operation: 'UpdateInboxRules', severity: 'medium', resourceType: 'inboxRule' },

  { group: EXA, operation: 'New-InboxRule', severity: 'medium', resourceType: 'inboxRule' },
  { group: EXA, operation: 'Set-InboxRule', severity: 'low', resourceType: 'inboxRule' },
  { group: EXA, operation: 'Remove-InboxRule', severity: 'low', resourceType: 'inboxRule' },
  { group: EXA, operation: 'Set-Mailbox', severity: 'low', resourceType: 'mailbox' },
  { group: EXA, operation: 'Add-MailboxPermission', severity: 'medium', resourceType: 'mailbox' },
  { group: EXA, operation: 'Remove-MailboxPermission', severity: 'low', resourceType: 'mailbox' },
  { group: EXA, operation: 'Add-RecipientPermission', severity: 'high', resourceType: 'mailbox' },
  { group: EXA, operation: 'Set-MailboxAuditBypassAssociation', severity: 'high', resourceType: 'mailbox' },
  { group: EXA, operation: 'New-TransportRule', severity: 'high', resourceType: 'policy' },
  { group: EXA, operation: 'Set-TransportRule', severity: 'high', resourceType: 'policy' },
  { group: EXA, operation: 'Remove-TransportRule', severity: 'medium', resourceType: 'policy' },
  { group: EXA, operation: 'New-InboundConnector', severity: 'high', resourceType: 'connector' },
  { group: EXA, operation: 'Set-AdminAuditLogConfig', severity: 'high', resourceType: 'policy' },
  { group: EXA, operation: 'New-ManagementRoleAssignment', severity: 'high', resourceType: 'role' },
  { group: EXA, operation: 'Set-OrganizationConfig', severity: 'medium', resourceType: 'configuration' },

  { group: AAD, operation: 'UserLoggedIn', severity: 'informational', resourceType: 'application' },
  { group: AAD, operation: 'UserLoginFailed', severity: 'low', resourceType: 'application' },
  { group: AAD, operation: 'Add user.', severity: 'low', resourceType: 'user' },
  { group: AAD, operation: 'Update user.', severity: 'informational', resourceType: 'user' },
  { group: AAD, operation: 'Delete user.', severity: 'medium', resourceType: 'user' },
  { group: AAD, operation: 'Disable account.', severity: 'medium', resourceType: 'user' },
  { group: AAD, operation: 'Change user password.', severity: 'low', resourceType: 'user' },
  { group: AAD, operation: 'Reset user password.', severity: 'medium', resourceType: 'user' },
  { group: AAD, operation: 'Set force change user password.', severity: 'medium', resourceType: 'user' },
  { group: AAD, operation: 'Change user license.', severity: 'informational', resourceType: 'user' },
  {
    group: AAD,
    operation: 'Update StsRefreshTokenValidFrom Timestamp.',
    severity: 'informational',
    resourceType: 'user',
  },
  { group: AAD, operation: 'Add group.', severity: 'low', resourceType: 'group' },
  { group: AAD, operation: 'Delete group.', severity: 'medium', resourceType: 'group' },
  { group: AAD, operation: 'Add member to group.', severity: 'low', resourceType: 'group' },
  { group: AAD, operation: 'Remove member from group.', severity: 'informational', resourceType: 'group' },
  { group: AAD, operation: 'Add member to role.', severity: 'high', resourceType: 'role' },
  { group: AAD, operation: 'Remove member from role.', severity: 'medium', resourceType: 'role' },
  { group: AAD, operation: 'Add application.', severity: 'medium', resourceType: 'application' },
  {
    group: AAD,
    operation: 'Update application – Certificates and secrets management',
    severity: 'high',
    resourceType: 'application',
  },
  { group: AAD, operation: 'Consent to application.', severity: 'high', resourceType: 'application' },
  { group: AAD, operation: 'Add delegated permission grant.', severity: 'high', resourceType: 'application' },
  { group: AAD, operation: 'Add service principal.', severity: 'medium', resourceType: 'servicePrincipal' },
  { group: AAD, operation: 'Add service principal credentials.', severity: 'high', resourceType: 'servicePrincipal' },
  {
    group: AAD,
    operation: 'Add app role assignment to service principal.',
    severity: 'high',
    resourceType: 'servicePrincipal',
  },
  { group: AAD, operation: 'Add policy.', severity: 'medium', resourceType: 'policy' },
  { group: AAD, operation: 'Update policy.', severity: 'high', resourceType: 'policy' },
  { group: AAD, operation: 'Delete policy.', severity: 'high', resourceType: 'policy' },
  { group: AAD, operation: 'Add domain to company.', severity: 'medium', resourceType: 'domain' },
  { group: AAD, operation: 'Set domain authentication.', severity: 'critical', resourceType: 'domain' },
  { group: AAD, operation: 'Set federation settings on domain.', severity: 'critical', resourceType: 'domain' },
  { group: AAD, operation: 'Set Company Information.', severity: 'medium', resourceType: 'tenant' },

  { group: TEAMS, operation: 'TeamsSessionStarted', severity: 'informational', resourceType: 'session' },
  { group: TEAMS, operation: 'TeamCreated', severity: 'low', resourceType: 'team' },
  { group: TEAMS, operation: 'TeamDeleted', severity: 'medium', resourceType: 'team' },
  { group: TEAMS, operation: 'TeamSettingChanged', severity: 'low', resourceType: 'team' },
  { group: TEAMS, operation: 'MemberAdded', severity: 'low', resourceType: 'team' },
  { group: TEAMS, operation: 'MemberRemoved', severity: 'informational', resourceType: 'team' },
  { group: TEAMS, operation: 'MemberRoleChanged', severity: 'low', resourceType: 'team' },
  { group: TEAMS, operation: 'ChannelAdded', severity: 'informational', resourceType: 'channel' },
  { group: TEAMS, operation: 'ChannelDeleted', severity: 'low', resourceType: 'channel' },
  { group: TEAMS, operation: 'AppInstalled', severity: 'medium', resourceType: 'application' },
  { group: TEAMS, operation: 'BotAddedToTeam', severity: 'medium', resourceType: 'application' },

  { group: SCC, operation: 'DlpRuleMatch', severity: 'medium' },
  { group: SCC, operation: 'AlertTriggered', severity: 'medium', resourceType: 'alert' },
];

/**
 * Operation names are matched case-insensitively, trimmed, and with or without the trailing
 * period Azure AD puts on its operations ("Add member to role." = "Add member to role").
 */
export function operationKey(operation: string): string {
  return operation.trim().replace(/\.$/, '').toLowerCase();
}

const OPERATION_INDEX = new Map(OPERATIONS.map((entry) => [operationKey(entry.operation), entry]));

/** Operation → severity (one action, before escalation rules). */
export const OPERATION_SEVERITY: Readonly<Record<string, Severity>> = Object.fromEntries(
  OPERATIONS.map((entry) => [entry.operation, entry.severity]),
);

/** Operation → resourceType, where the operation alone says what kind of object it acts on. */
export const OPERATION_RESOURCE_TYPE: Readonly<Record<string, string>> = Object.fromEntries(
  OPERATIONS.flatMap((entry) => (entry.resourceType ? [[entry.operation, entry.resourceType]] : [])),
);

/**
 * SharePoint/OneDrive `ItemType` → resourceType. The documented enum is an integer; the
 * records the API actually serves carry the member name. Both are accepted.
 */
export const ITEM_TYPE_TO_RESOURCE_TYPE: readonly { value: number | null; name: string; resourceType: string }[] = [
  { value: 1, name: 'File', resourceType: 'file' },
  { value: 5, name: 'Folder', resourceType: 'folder' },
  { value: 6, name: 'Web', resourceType: 'site' },
  { value: 7, name: 'Site', resourceType: 'site' },
  { value: 8, name: 'Tenant', resourceType: 'tenant' },
  { value: 9, name: 'DocumentLibrary', resourceType: 'documentLibrary' },
  { value: 11, name: 'Page', resourceType: 'page' },
  { value: null, name: 'List', resourceType: 'list' },
  { value: null, name: 'ListItem', resourceType: 'listItem' },
];

// ---------------------------------------------------------------------------------------
// Escalation: the same operation matters more with certain parameters
// ---------------------------------------------------------------------------------------

type NameValue = { name: string; value: string };

/** `Parameters` (Exchange) and `ModifiedProperties` (Azure AD) as plain name/value pairs. */
function namedValues(record: Record<string, unknown>, field: 'Parameters' | 'ModifiedProperties'): NameValue[] {
  const list = record[field];
  if (!Array.isArray(list)) return [];
  return list.flatMap((entry) => {
    const name = textAt(entry, 'Name');
    const value = textAt(entry, field === 'Parameters' ? 'Value' : 'NewValue');
    return name === null ? [] : [{ name, value: value ?? '' }];
  });
}

/** Quotes and brackets stripped: ModifiedProperties values come as `"[\"Global Administrator\"]"` too. */
function bare(value: string): string {
  return value.replace(/["[\]]/g, '').trim();
}

function hasParameter(record: Record<string, unknown>, names: readonly string[]): boolean {
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  return namedValues(record, 'Parameters').some(
    (p) => wanted.has(p.name.toLowerCase()) && bare(p.value) !== '' && bare(p.value).toLowerCase() !== '$null',
  );
}

function parameterIncludes(record: Record<string, unknown>, name: string, needle: string): boolean {
  return namedValues(record, 'Parameters').some(
    (p) => p.name.toLowerCase() === name.toLowerCase() && p.value.toLowerCase().includes(needle.toLowerCase()),
  );
}

function modifiedPropertyIn(record: Record<string, unknown>, name: string, values: readonly string[]): boolean {
  const wanted = new Set(values.map((v) => v.toLowerCase()));
  return namedValues(record, 'ModifiedProperties').some(
    (p) => p.name.toLowerCase() === name.toLowerCase() && wanted.has(bare(p.value).toLowerCase()),
  );
}

export const PRIVILEGED_ROLES = [
  'Global Administrator',
  'Company Administrator',
  'Privileged Role Administrator',
  'Privileged Authentication Administrator',
] as const;

export interface SeverityEscalation {
  id: string;
  operations: readonly string[];
  when: string;
  severity: Severity;
  applies: (record: Record<string, unknown>) => boolean;
}

/** Raise (never lower) an operation's severity when the record shows the dangerous variant. */
export const SEVERITY_ESCALATIONS: readonly SeverityEscalation[] = [
  {
    id: 'inbox-rule-forwards-mail',
    operations: ['New-InboxRule', 'Set-InboxRule'],
    when: '`Parameters` set `ForwardTo`, `ForwardAsAttachmentTo` or `RedirectTo` (the classic exfiltration rule)',
    severity: 'high',
    applies: (r) => hasParameter(r, ['ForwardTo', 'ForwardAsAttachmentTo', 'RedirectTo']),
  },
  {
    id: 'mailbox-forwarding',
    operations: ['Set-Mailbox'],
    when: '`Parameters` set `ForwardingSmtpAddress` or `ForwardingAddress`',
    severity: 'high',
    applies: (r) => hasParameter(r, ['ForwardingSmtpAddress', 'ForwardingAddress']),
  },
  {
    id: 'full-access-granted',
    operations: ['Add-MailboxPermission'],
    when: '`Parameters.AccessRights` includes `FullAccess`',
    severity: 'high',
    applies: (r) => parameterIncludes(r, 'AccessRights', 'FullAccess'),
  },
  {
    id: 'privileged-role-granted',
    operations: ['Add member to role.'],
    when: `\`ModifiedProperties\` \`Role.DisplayName\` is one of ${PRIVILEGED_ROLES.map((r) => `\`${r}\``).join(', ')}`,
    severity: 'critical',
    applies: (r) => modifiedPropertyIn(r, 'Role.DisplayName', PRIVILEGED_ROLES),
  },
  {
    id: 'tenant-wide-admin-consent',
    operations: ['Consent to application.'],
    when: '`ModifiedProperties` `ConsentContext.IsAdminConsent` is `True` (consent for every user in the tenant)',
    severity: 'critical',
    applies: (r) => modifiedPropertyIn(r, 'ConsentContext.IsAdminConsent', ['True']),
  },
  {
    id: 'shared-with-guest',
    operations: ['SharingSet', 'SharingInvitationCreated', 'AddedToSecureLink'],
    when: '`TargetUserOrGroupType` is `Guest` (shared outside the organisation)',
    severity: 'medium',
    applies: (r) => textAt(r, 'TargetUserOrGroupType')?.toLowerCase() === 'guest',
  },
  {
    id: 'guest-added-to-team',
    operations: ['MemberAdded'],
    when: 'a `Members[]` entry has `Role` 2 (Guest)',
    severity: 'medium',
    applies: (r) =>
      Array.isArray(r.Members) &&
      r.Members.some((m) => isJsonObject(m) && (m.Role === 2 || m.Role === '2' || m.Role === 'Guest')),
  },
];

const ESCALATION_INDEX = new Map<string, SeverityEscalation[]>();
for (const escalation of SEVERITY_ESCALATIONS) {
  for (const operation of escalation.operations) {
    const key = operationKey(operation);
    ESCALATION_INDEX.set(key, [...(ESCALATION_INDEX.get(key) ?? []), escalation]);
  }
}

function maxSeverity(a: Severity, b: Severity): Severity {
  return SEVERITIES.indexOf(a) >= SEVERITIES.indexOf(b) ? a : b;
}

// ---------------------------------------------------------------------------------------
// Which fields name things
// ---------------------------------------------------------------------------------------

/** Where the object acted on is named, per workload: the first field with a value wins. */
export const RESOURCE_NAME_FIELDS: Readonly<Record<string, readonly string[]>> = {
  SharePoint: ['SourceFileName', 'ObjectId', 'SiteUrl'],
  OneDrive: ['SourceFileName', 'ObjectId', 'SiteUrl'],
  Exchange: ['Item.Subject', 'AffectedItems.0.Subject', 'ModifiedObjectResolvedName', 'ObjectId', 'MailboxOwnerUPN'],
  AzureActiveDirectory: ['ObjectId'],
  MicrosoftTeams: ['TeamName', 'ObjectId'],
  '(any other)': ['ObjectId'],
};

/** Where the application the action went through is named; the first with a value wins. */
export const APPLICATION_NAME_FIELDS: readonly string[] = [
  'ApplicationDisplayName',
  'AppAccessContext.ClientAppName',
  'AppAccessContext.0.ClientAppName',
  'ClientAppName',
];

/** Where the client address is; the first with a value wins. */
export const CLIENT_IP_FIELDS: readonly string[] = ['ClientIP', 'ClientIPAddress', 'ActorIpAddress'];

/**
 * A bare IP address from what O365 records: `203.0.113.7:51234` → `203.0.113.7`,
 * `[2001:db8::1]:443` → `2001:db8::1`. Anything that is not an address afterwards is null.
 */
export function normaliseClientIp(raw: string | null): string | null {
  if (raw === null) return null;
  let candidate = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(candidate);
  if (bracketed?.[1]) candidate = bracketed[1];
  const ipv4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(candidate);
  if (ipv4WithPort?.[1]) candidate = ipv4WithPort[1];
  return net.isIP(candidate) ? candidate : null;
}

// ---------------------------------------------------------------------------------------
// The normaliser
// ---------------------------------------------------------------------------------------

const RECORD_TYPE_BY_NAME = new Map(
  Object.entries(RECORD_TYPES).map(([value, entry]) => [entry.name.toLowerCase(), Number(value)]),
);
const USER_TYPE_BY_NAME = new Map(
  Object.entries(USER_TYPE_TO_ACTOR_TYPE).map(([value, entry]) => [
    entry.name.toLowerCase(),
    Number(value) as O365UserType,
  ]),
);

/** RecordType: the documented integer, or (as some exports print it) the member name. */
const RECORD_TYPE_MESSAGE = 'must be an AuditLogRecordType integer';
const RecordTypeSchema = z.union([z.number().int(RECORD_TYPE_MESSAGE), z.string().trim().min(1, RECORD_TYPE_MESSAGE)], {
  errorMap: (issue, ctx) =>
    issue.code === z.ZodIssueCode.invalid_union && ctx.data === undefined
      ? { message: 'is required' }
      : { message: RECORD_TYPE_MESSAGE },
});

/** UserType: the documented integer 0-8 (or its member name). Unknown integers are kept as unknown. */
const USER_TYPE_MESSAGE = 'must be a UserType integer (0-8) or its name';
const UserTypeSchema = z
  .union([z.number().int(USER_TYPE_MESSAGE), z.string().trim().min(1, USER_TYPE_MESSAGE)], {
    errorMap: () => ({ message: USER_TYPE_MESSAGE }),
  })
  .nullish();

const O365RecordSchema = z.object(
  {
    Id: requiredText(256),
    RecordType: RecordTypeSchema,
    CreationTime: microsoftTimestamp(),
    Operation: requiredText(1_000),
    UserId: requiredText(1_000),
    UserType: UserTypeSchema,
    Workload: optionalText(),
  },
  { invalid_type_error: 'must be a JSON object', required_error: 'must be a JSON object' },
);

function recordTypeNumber(value: number | string): number | null {
  if (typeof value === 'number') return value;
  if (/^\d+$/.test(value)) return Number(value);
  return RECORD_TYPE_BY_NAME.get(value.toLowerCase()) ?? null;
}

function userTypeNumber(value: number | string | null | undefined): O365UserType | null {
  if (value === null || value === undefined) return null;
  const number =
    typeof value === 'number'
      ? value
      : /^\d+$/.test(value)
        ? Number(value)
        : USER_TYPE_BY_NAME.get(value.toLowerCase());
  return number !== undefined && number in USER_TYPE_TO_ACTOR_TYPE ? (number as O365UserType) : null;
}

/** UserType → actorType, refined by the identity rules for Regular/Reserved/unknown. */
export function actorTypeOf(userType: O365UserType | null, userId: string): ActorType {
  if (userType === null || REFINABLE_USER_TYPES.includes(userType)) {
    const rule = ACTOR_IDENTITY_RULES.find((r) => r.match.test(userId));
    if (rule) return rule.actorType;
  }
  return userType === null ? 'unknown' : USER_TYPE_TO_ACTOR_TYPE[userType].actorType;
}

/** Operation (+ RecordType default, + escalations) → severity. */
export function severityOf(operation: string, recordType: number | null, record: Record<string, unknown>): Severity {
  const key = operationKey(operation);
  const base =
    OPERATION_INDEX.get(key)?.severity ??
    (recordType !== null ? RECORD_TYPES[recordType]?.severity : undefined) ??
    FALLBACKS.severity;
  return (ESCALATION_INDEX.get(key) ?? []).reduce(
    (severity, escalation) => (escalation.applies(record) ? maxSeverity(severity, escalation.severity) : severity),
    base,
  );
}

function itemResourceType(record: Record<string, unknown>): string | null {
  const raw = record.ItemType;
  if (typeof raw === 'number') return ITEM_TYPE_TO_RESOURCE_TYPE.find((t) => t.value === raw)?.resourceType ?? null;
  if (typeof raw === 'string')
    return (
      ITEM_TYPE_TO_RESOURCE_TYPE.find((t) => t.name.toLowerCase() === raw.trim().toLowerCase())?.resourceType ?? null
    );
  return null;
}

/** ItemType (SharePoint/OneDrive) → Operation → RecordType default → 'unknown'. */
export function resourceTypeOf(operation: string, recordType: number | null, record: Record<string, unknown>): string {
  return (
    itemResourceType(record) ??
    OPERATION_INDEX.get(operationKey(operation))?.resourceType ??
    (recordType !== null ? RECORD_TYPES[recordType]?.resourceType : undefined) ??
    FALLBACKS.resourceType
  );
}

export const normaliseO365Record: LogNormaliser = (record, ctx) => {
  const parsed = O365RecordSchema.safeParse(record);
  if (!parsed.success) return rejected(describeIssues(parsed.error));
  const r = parsed.data;
  const raw = record as Record<string, unknown>;
  const recordType = recordTypeNumber(r.RecordType);
  const workload =
    r.Workload?.trim() || (recordType !== null ? RECORD_TYPES[recordType]?.workload : undefined) || FALLBACKS.workload;
  const nameFields = RESOURCE_NAME_FIELDS[workload] ?? RESOURCE_NAME_FIELDS['(any other)'] ?? [];
  return {
    ok: true,
    row: {
      tenant_id: ctx.tenantId,
      id: ctx.newId(),
      source_id: r.Id,
      occurred_at: r.CreationTime,
      discovered_at: ctx.now,
      action: r.Operation,
      severity: severityOf(r.Operation, recordType, raw),
      actor_name: r.UserId,
      actor_type: actorTypeOf(userTypeNumber(r.UserType), r.UserId),
      actor_ip: normaliseClientIp(firstTextAt(raw, CLIENT_IP_FIELDS)),
      resource_name: firstTextAt(raw, nameFields),
      resource_type: resourceTypeOf(r.Operation, recordType, raw),
      workload,
      application_display_name: firstTextAt(raw, APPLICATION_NAME_FIELDS),
      raw_data: JSON.stringify(record),
    },
  };
};
