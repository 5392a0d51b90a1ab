import { WeightedPicker } from './seeded-random';

/**
 * The catalogue the audit-event generator draws from (logs.generator.ts): operations and their
 * weights, applications, actors, file and folder names. Data only; the logic is in the generator.
 */
export type ActorKind = 'member' | 'guest' | 'admin' | 'application' | 'servicePrincipal' | 'system' | 'unknown';
export type ResourceKind =
  | 'file'
  | 'folder'
  | 'site'
  | 'page'
  | 'mailbox'
  | 'otherMailbox'
  | 'inboxRule'
  | 'message'
  | 'user'
  | 'signInTarget'
  | 'application'
  | 'role'
  | 'group'
  | 'team'
  | 'channel'
  | 'meeting'
  | 'chat'
  | 'session'
  | 'policy'
  | 'report'
  | 'alert'
  | 'search';

export type ActorMix = Partial<Record<ActorKind, number>>;
export const COLLABORATOR: ActorMix = { member: 90, guest: 7, application: 3 };
export const PERSONAL: ActorMix = { member: 97, application: 3 };
export const MAIL: ActorMix = { member: 94, application: 4, system: 2 };
export const MAILBOX_OWNER: ActorMix = { member: 80, admin: 20 };
export const EXCHANGE_ADMINS: ActorMix = { admin: 85, system: 15 };
export const SIGNING_IN: ActorMix = { member: 90, guest: 4, admin: 6 };
export const FAILING_SIGN_IN: ActorMix = { member: 78, guest: 3, admin: 5, unknown: 14 };
export const DIRECTORY_ADMIN: ActorMix = { admin: 70, servicePrincipal: 25, system: 5 };
export const DIRECTORY_SYNC: ActorMix = { servicePrincipal: 55, admin: 30, member: 15 };
export const CONSENTING: ActorMix = { member: 75, admin: 25 };
export const TEAM_MEMBER: ActorMix = { member: 93, guest: 7 };
export const TEAM_OWNER: ActorMix = { member: 75, admin: 25 };
export const MEMBER_ONLY: ActorMix = { member: 100 };
export const SYSTEM_ONLY: ActorMix = { system: 100 };

export type AppMix = ReadonlyArray<readonly [string | null, number]>;
export const SHAREPOINT_APPS: AppMix = [
  ['Microsoft SharePoint Online', 45],
  ['Microsoft Office', 20],
  ['Microsoft Teams', 15],
  ['OneDrive SyncEngine', 10],
  ['Microsoft Edge', 5],
  [null, 5],
];
export const ONEDRIVE_APPS: AppMix = [
  ['OneDrive SyncEngine', 40],
  ['Microsoft OneDrive', 25],
  ['Microsoft Office', 20],
  ['Microsoft Teams', 10],
  [null, 5],
];
export const MAIL_APPS: AppMix = [
  ['Microsoft Outlook', 45],
  ['One Outlook Web', 25],
  ['Outlook Mobile', 20],
  ['Microsoft Teams', 5],
  [null, 5],
];
export const EXCHANGE_ADMIN_APPS: AppMix = [
  ['Exchange Online PowerShell', 40],
  ['Exchange admin center', 30],
  ['One Outlook Web', 30],
];
export const SIGN_IN_APPS: AppMix = [
  ['Microsoft Office', 25],
  ['Microsoft Teams', 20],
  ['Microsoft Outlook', 15],
  ['Microsoft Edge', 10],
  ['Microsoft Authentication Broker', 10],
  ['OneDrive SyncEngine', 8],
  ['Microsoft Intune Company Portal', 5],
  ['Azure Portal', 4],
  ['Microsoft Azure CLI', 2],
  ['Office 365 Exchange Online', 1],
];
export const ENTRA_ADMIN_APPS: AppMix = [
  ['Microsoft Entra admin center', 45],
  ['Azure Portal', 20],
  ['Microsoft Graph PowerShell', 20],
  ['Azure AD Connect', 10],
  [null, 5],
];
export const TEAMS_APPS: AppMix = [
  ['Microsoft Teams', 88],
  ['Microsoft Teams Web', 12],
];
export const POWER_BI_APPS: AppMix = [
  ['Power BI', 80],
  ['Power BI Mobile', 20],
];
export const COMPLIANCE_APPS: AppMix = [
  [null, 60],
  ['Microsoft Purview compliance portal', 40],
];

/** The Office 365 AuditLogRecordType each operation is reported under (it sets severity defaults). */
export const FILE_OPERATION = 6;
export const SHARING_OPERATION = 14;
export const SHAREPOINT = 4;
export const EXCHANGE_ADMIN = 1;
export const EXCHANGE_ITEM = 2;
export const EXCHANGE_AGGREGATED = 50;
export const AZURE_AD = 8;
export const STS_LOGON = 15;
export const TEAMS_RECORD = 25;
export const POWER_BI = 20;
export const COMPLIANCE_CMDLET = 18;
export const COMPLIANCE_ALERT = 40;

export interface OperationSpec {
  workload: string;
  action: string;
  /** Relative frequency across all workloads (≈ events per 1,000). */
  weight: number;
  recordType: number;
  resource: ResourceKind;
  actors: ActorMix;
  apps: AppMix;
}

export const op = (
  workload: string,
  action: string,
  weight: number,
  recordType: number,
  resource: ResourceKind,
  actors: ActorMix,
  apps: AppMix,
): OperationSpec => ({ workload, action, weight, recordType, resource, actors, apps });

export const SP = 'SharePoint';
export const OD = 'OneDrive';
export const EXO = 'Exchange';
export const AAD = 'AzureActiveDirectory';
export const TEAMS = 'MicrosoftTeams';
export const PBI = 'PowerBI';
export const SCC = 'SecurityComplianceCenter';

export const OPERATIONS: readonly OperationSpec[] = [
  op(SP, 'FileAccessed', 80, FILE_OPERATION, 'file', COLLABORATOR, SHAREPOINT_APPS),
  op(SP, 'FilePreviewed', 25, FILE_OPERATION, 'file', COLLABORATOR, SHAREPOINT_APPS),
  op(SP, 'FileModified', 30, FILE_OPERATION, 'file', COLLABORATOR, SHAREPOINT_APPS),
  op(SP, 'FileUploaded', 15, FILE_OPERATION, 'file', COLLABORATOR, SHAREPOINT_APPS),
  op(SP, 'FileDownloaded', 25, FILE_OPERATION, 'file', COLLABORATOR, SHAREPOINT_APPS),
  op(SP, 'FileDeleted', 6, FILE_OPERATION, 'file', COLLABORATOR, SHAREPOINT_APPS),
  op(SP, 'FileRecycled', 3, FILE_OPERATION, 'file', COLLABORATOR, SHAREPOINT_APPS),
  op(SP, 'FolderCreated', 4, FILE_OPERATION, 'folder', COLLABORATOR, SHAREPOINT_APPS),
  op(SP, 'PageViewed', 30, SHAREPOINT, 'page', COLLABORATOR, SHAREPOINT_APPS),
  op(SP, 'SearchQueryPerformed', 8, SHAREPOINT, 'site', MEMBER_ONLY, SHAREPOINT_APPS),
  op(SP, 'SharingSet', 5, SHARING_OPERATION, 'file', MEMBER_ONLY, SHAREPOINT_APPS),
  op(SP, 'SharingInvitationCreated', 3, SHARING_OPERATION, 'file', MEMBER_ONLY, SHAREPOINT_APPS),
  op(SP, 'CompanyLinkCreated', 4, SHARING_OPERATION, 'file', MEMBER_ONLY, SHAREPOINT_APPS),
  op(SP, 'AnonymousLinkCreated', 1.5, SHARING_OPERATION, 'file', MEMBER_ONLY, SHAREPOINT_APPS),
  op(SP, 'AnonymousLinkUsed', 2, SHARING_OPERATION, 'file', { unknown: 100 }, [[null, 100]]),
  op(SP, 'FileSyncDownloadedFull', 2, FILE_OPERATION, 'folder', MEMBER_ONLY, [['OneDrive SyncEngine', 100]]),
  op(SP, 'SiteCollectionAdminAdded', 0.2, SHAREPOINT, 'site', { admin: 100 }, [['SharePoint admin center', 100]]),
  op(SP, 'SharingPolicyChanged', 0.2, SHAREPOINT, 'site', { admin: 100 }, [['SharePoint admin center', 100]]),

  op(OD, 'FileAccessed', 30, FILE_OPERATION, 'file', PERSONAL, ONEDRIVE_APPS),
  op(OD, 'FileModified', 20, FILE_OPERATION, 'file', PERSONAL, ONEDRIVE_APPS),
  op(OD, 'FileUploaded', 12, FILE_OPERATION, 'file', PERSONAL, ONEDRIVE_APPS),
  op(OD, 'FileDownloaded', 10, FILE_OPERATION, 'file', PERSONAL, ONEDRIVE_APPS),
  op(OD, 'FileDeleted', 4, FILE_OPERATION, 'file', PERSONAL, ONEDRIVE_APPS),
  op(OD, 'FileSyncUploadedFull', 8, FILE_OPERATION, 'file', MEMBER_ONLY, [['OneDrive SyncEngine', 100]]),
  op(OD, 'FileSyncDownloadedFull', 4, FILE_OPERATION, 'file', MEMBER_ONLY, [['OneDrive SyncEngine', 100]]),
  op(OD, 'SharingSet', 3, SHARING_OPERATION, 'file', MEMBER_ONLY, ONEDRIVE_APPS),
  op(OD, 'CompanyLinkCreated', 2, SHARING_OPERATION, 'file', MEMBER_ONLY, ONEDRIVE_APPS),
  op(OD, 'AnonymousLinkCreated', 1, SHARING_OPERATION, 'file', MEMBER_ONLY, ONEDRIVE_APPS),

  op(EXO, 'MailItemsAccessed', 140, EXCHANGE_AGGREGATED, 'mailbox', MAIL, MAIL_APPS),
  op(EXO, 'Send', 50, EXCHANGE_ITEM, 'message', MEMBER_ONLY, MAIL_APPS),
  op(EXO, 'MoveToDeletedItems', 25, EXCHANGE_ITEM, 'message', MEMBER_ONLY, MAIL_APPS),
  op(EXO, 'SoftDelete', 10, EXCHANGE_ITEM, 'message', MEMBER_ONLY, MAIL_APPS),
  op(EXO, 'HardDelete', 3, EXCHANGE_ITEM, 'message', MEMBER_ONLY, MAIL_APPS),
  op(EXO, 'Update', 15, EXCHANGE_ITEM, 'message', MEMBER_ONLY, MAIL_APPS),
  op(EXO, 'Create', 10, EXCHANGE_ITEM, 'message', MEMBER_ONLY, MAIL_APPS),
  op(EXO, 'MailboxLogin', 15, EXCHANGE_ITEM, 'mailbox', MEMBER_ONLY, MAIL_APPS),
  op(EXO, 'SendAs', 1, EXCHANGE_ITEM, 'message', MEMBER_ONLY, MAIL_APPS),
  op(EXO, 'SendOnBehalf', 1, EXCHANGE_ITEM, 'message', MEMBER_ONLY, MAIL_APPS),
  op(EXO, 'New-InboxRule', 0.8, EXCHANGE_ADMIN, 'inboxRule', MAILBOX_OWNER, EXCHANGE_ADMIN_APPS),
  op(EXO, 'Set-InboxRule', 0.4, EXCHANGE_ADMIN, 'inboxRule', MAILBOX_OWNER, EXCHANGE_ADMIN_APPS),
  op(EXO, 'UpdateInboxRules', 0.5, EXCHANGE_ITEM, 'inboxRule', MEMBER_ONLY, MAIL_APPS),
  op(EXO, 'Set-Mailbox', 0.5, EXCHANGE_ADMIN, 'otherMailbox', EXCHANGE_ADMINS, EXCHANGE_ADMIN_APPS),
  op(EXO, 'Add-MailboxPermission', 0.3, EXCHANGE_ADMIN, 'otherMailbox', EXCHANGE_ADMINS, EXCHANGE_ADMIN_APPS),
  op(EXO, 'Add-RecipientPermission', 0.1, EXCHANGE_ADMIN, 'otherMailbox', EXCHANGE_ADMINS, EXCHANGE_ADMIN_APPS),
  op(EXO, 'New-TransportRule', 0.05, EXCHANGE_ADMIN, 'policy', { admin: 100 }, EXCHANGE_ADMIN_APPS),

  op(AAD, 'UserLoggedIn', 150, STS_LOGON, 'signInTarget', SIGNING_IN, SIGN_IN_APPS),
  op(AAD, 'UserLoginFailed', 30, STS_LOGON, 'signInTarget', FAILING_SIGN_IN, SIGN_IN_APPS),
  op(AAD, 'Update user.', 8, AZURE_AD, 'user', DIRECTORY_SYNC, ENTRA_ADMIN_APPS),
  op(AAD, 'Add member to group.', 3, AZURE_AD, 'group', DIRECTORY_ADMIN, ENTRA_ADMIN_APPS),
  op(AAD, 'Remove member from group.', 1, AZURE_AD, 'group', DIRECTORY_ADMIN, ENTRA_ADMIN_APPS),
  op(AAD, 'Add user.', 1, AZURE_AD, 'user', DIRECTORY_SYNC, ENTRA_ADMIN_APPS),
  op(AAD, 'Delete user.', 0.3, AZURE_AD, 'user', DIRECTORY_ADMIN, ENTRA_ADMIN_APPS),
  op(AAD, 'Reset user password.', 1, AZURE_AD, 'user', DIRECTORY_ADMIN, ENTRA_ADMIN_APPS),
  op(AAD, 'Change user password.', 1.5, AZURE_AD, 'user', MEMBER_ONLY, [['Microsoft Office', 100]]),
  op(AAD, 'Add member to role.', 0.5, AZURE_AD, 'role', { admin: 100 }, ENTRA_ADMIN_APPS),
  op(AAD, 'Remove member from role.', 0.1, AZURE_AD, 'role', { admin: 100 }, ENTRA_ADMIN_APPS),
  op(AAD, 'Consent to application.', 0.6, AZURE_AD, 'application', CONSENTING, [[null, 100]]),
  op(AAD, 'Add delegated permission grant.', 0.3, AZURE_AD, 'application', CONSENTING, [[null, 100]]),
  op(AAD, 'Add service principal.', 0.2, AZURE_AD, 'application', DIRECTORY_ADMIN, ENTRA_ADMIN_APPS),
  op(
    AAD,
    'Add app role assignment to service principal.',
    0.2,
    AZURE_AD,
    'application',
    { admin: 100 },
    ENTRA_ADMIN_APPS,
  ),
  op(AAD, 'Update application.', 0.3, AZURE_AD, 'application', DIRECTORY_ADMIN, ENTRA_ADMIN_APPS),
  op(AAD, 'Update policy.', 0.1, AZURE_AD, 'policy', { admin: 100 }, ENTRA_ADMIN_APPS),
  op(AAD, 'Disable Strong Authentication.', 0.05, AZURE_AD, 'user', { admin: 100 }, ENTRA_ADMIN_APPS),

  op(TEAMS, 'TeamsSessionStarted', 40, TEAMS_RECORD, 'session', TEAM_MEMBER, TEAMS_APPS),
  op(TEAMS, 'MessageSent', 30, TEAMS_RECORD, 'chat', TEAM_MEMBER, TEAMS_APPS),
  op(TEAMS, 'MessageCreatedHasLink', 3, TEAMS_RECORD, 'chat', TEAM_MEMBER, TEAMS_APPS),
  op(TEAMS, 'ChatCreated', 10, TEAMS_RECORD, 'chat', TEAM_MEMBER, TEAMS_APPS),
  op(TEAMS, 'MeetingParticipantDetail', 15, TEAMS_RECORD, 'meeting', TEAM_MEMBER, TEAMS_APPS),
  op(TEAMS, 'MeetingDetail', 6, TEAMS_RECORD, 'meeting', MEMBER_ONLY, TEAMS_APPS),
  op(TEAMS, 'MemberAdded', 4, TEAMS_RECORD, 'team', TEAM_OWNER, TEAMS_APPS),
  op(TEAMS, 'MemberRemoved', 1.5, TEAMS_RECORD, 'team', TEAM_OWNER, TEAMS_APPS),
  op(TEAMS, 'ChannelAdded', 1, TEAMS_RECORD, 'channel', TEAM_MEMBER, TEAMS_APPS),
  op(TEAMS, 'TeamCreated', 0.5, TEAMS_RECORD, 'team', TEAM_OWNER, TEAMS_APPS),
  op(TEAMS, 'TeamDeleted', 0.1, TEAMS_RECORD, 'team', TEAM_OWNER, TEAMS_APPS),
  op(TEAMS, 'TeamSettingChanged', 0.5, TEAMS_RECORD, 'team', TEAM_OWNER, TEAMS_APPS),
  op(TEAMS, 'MemberRoleChanged', 0.4, TEAMS_RECORD, 'team', TEAM_OWNER, TEAMS_APPS),
  op(TEAMS, 'AppInstalled', 0.3, TEAMS_RECORD, 'application', TEAM_OWNER, TEAMS_APPS),

  op(PBI, 'ViewReport', 15, POWER_BI, 'report', MEMBER_ONLY, POWER_BI_APPS),
  op(PBI, 'ViewDashboard', 6, POWER_BI, 'report', MEMBER_ONLY, POWER_BI_APPS),
  op(PBI, 'ExportReport', 1.5, POWER_BI, 'report', MEMBER_ONLY, POWER_BI_APPS),
  op(PBI, 'ShareReport', 0.5, POWER_BI, 'report', MEMBER_ONLY, POWER_BI_APPS),

  op(SCC, 'AlertTriggered', 1.5, COMPLIANCE_ALERT, 'alert', SYSTEM_ONLY, COMPLIANCE_APPS),
  op(SCC, 'AlertEntityGenerated', 1, COMPLIANCE_ALERT, 'alert', SYSTEM_ONLY, COMPLIANCE_APPS),
  op(SCC, 'SearchCreated', 0.2, COMPLIANCE_CMDLET, 'search', { admin: 100 }, COMPLIANCE_APPS),
  op(SCC, 'SearchExported', 0.1, COMPLIANCE_CMDLET, 'search', { admin: 100 }, COMPLIANCE_APPS),
];

/** The workloads seeded events come from. */
export const SEEDED_WORKLOADS = [...new Set(OPERATIONS.map((o) => o.workload))];

export const FILE_BASES = (
  'Q3-forecast|Q4 budget|FY26 Budget|Board deck|Board minutes 2026-05|Payroll May|Payroll June|Customer list|' +
  'Sales pipeline|Pricing 2026|Contract - Fabrikam|Contract - Northwind|NDA - Adatum|Roadmap|Product roadmap H2|' +
  'Incident report 2026-041|Onboarding checklist|Employee handbook|Org chart|Salary bands|Headcount plan|' +
  'Marketing plan|Campaign results|Brand guidelines|Press release draft|Vendor assessment|Security review|' +
  'Architecture overview|API design|Release notes|Meeting notes|Project Phoenix status|Expense report|Invoice 48213|' +
  'Purchase order 7731|Tax filing 2025|Audit findings|Due diligence - Falcon|Offer letter|Performance review'
).split('|');
export const FILE_EXTENSIONS = new WeightedPicker([
  ['xlsx', 25],
  ['docx', 30],
  ['pptx', 15],
  ['pdf', 20],
  ['csv', 4],
  ['png', 3],
  ['zip', 2],
  ['txt', 1],
] as const);
export const FILE_SUFFIXES = ['', '', '', '', '', ' v2', ' (final)', ' - Copy', '_draft', ' (1)'];
export const FOLDERS = [
  'Shared Documents',
  'Contracts',
  'Reports',
  'Board',
  'Templates',
  'Archive',
  'Invoices',
  'Design',
  'Exports',
];
export const PAGES = ['Home.aspx', 'News.aspx', 'Policies.aspx', 'Benefits.aspx', 'IT-Help.aspx', 'Team.aspx'];
export const SUBJECTS = (
  'RE: Q3 forecast|FW: Contract review - Fabrikam|Invoice #48213 overdue|Team lunch Friday|Weekly status update|' +
  'RE: Customer escalation|Board meeting agenda|Your password expires today|Action required: sign the NDA|' +
  'RE: Pricing for Northwind|Offsite logistics|Expense approval needed|RE: RE: Project Phoenix timeline|' +
  'Quarterly business review|Updated org chart|Security awareness training reminder|Out of office|' +
  'Shared with you: FY26 Budget.xlsx|Wire transfer request|Candidate interview feedback'
).split('|');
export const MEETINGS = [
  'Weekly sync',
  'Sprint planning',
  'Customer call - Northwind',
  'All hands',
  '1:1',
  'Board prep',
  'Incident review',
];
export const CHANNELS = ['General', 'Announcements', 'Planning', 'Design', 'Incidents', 'Random'];
export const ROLES = new WeightedPicker([
  ['Global Administrator', 15],
  ['Exchange Administrator', 12],
  ['SharePoint Administrator', 10],
  ['User Administrator', 15],
  ['Security Administrator', 8],
  ['Security Reader', 12],
  ['Privileged Role Administrator', 5],
  ['Application Administrator', 10],
  ['Helpdesk Administrator', 10],
  ['Compliance Administrator', 3],
] as const);
export const SIGN_IN_TARGETS = new WeightedPicker([
  ['Office 365 Exchange Online', 25],
  ['Office 365 SharePoint Online', 25],
  ['Microsoft Graph', 20],
  ['Microsoft Teams Services', 15],
  ['Microsoft Intune', 5],
  ['Windows Azure Service Management API', 3],
  ['Office 365 Management APIs', 2],
  ['Power BI Service', 5],
] as const);
export const REPORTS = [
  'Sales Dashboard',
  'Pipeline by Region',
  'Finance KPIs',
  'Support Backlog',
  'Marketing Funnel',
  'Headcount',
];
export const COMPLIANCE_ALERTS = [
  'Elevation of Exchange admin privilege',
  'Creation of forwarding/redirect rule',
  'Suspicious email sending patterns detected',
  'Unusual volume of file deletion',
  'Malware campaign detected after delivery',
  'Email reported by user as malware or phish',
];
export const INBOX_RULES = ['.', '..', 'Move newsletters', 'Invoices', 'Clean up', 'RSS', 'From CEO', 'Archive'];
export const FREEMAIL = ['gmail.com', 'outlook.com', 'proton.me', 'yandex.com'];
/** What SharePoint's ItemType says directly; ingestion prefers it to the operation's default. */
export const ITEM_TYPES = new Set(['file', 'folder', 'site', 'page']);
export const SEARCHES = [
  'Legal hold - Falcon',
  'HR investigation 2026-07',
  'Litigation - Northwind',
  'DSAR request 1142',
];
export const APPLICATION_ACTORS = [
  'Veeam Backup for Microsoft 365',
  'Power Automate',
  'Contoso HR Sync',
  'CodeTwo Email Signatures',
];
export const SERVICE_PRINCIPALS = [
  'Microsoft Substrate Management',
  'Azure AD Identity Governance Insights',
  'Microsoft Graph Change Tracking',
  'Azure AD Connect Sync',
];
export const SYSTEM_ACTORS: Record<string, string> = {
  [EXO]: 'NT AUTHORITY\\SYSTEM (Microsoft.Exchange.ServiceHost)',
  [SP]: 'SHAREPOINT\\system',
  [OD]: 'SHAREPOINT\\system',
  [SCC]: 'SecurityComplianceAlerts',
  [AAD]: 'Microsoft Online Services',
};
export const UNKNOWN_ACCOUNTS = [
  'admin',
  'administrator',
  'test',
  'info',
  'sales',
  'support',
  'scanner',
  'backup',
  'hr',
];
/** Microsoft cloud ranges app-only calls come from. */
export const MICROSOFT_FIRST_OCTETS = [13, 20, 40, 52, 104];
