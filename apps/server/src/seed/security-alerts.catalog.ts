import type { SECURITY_ALERT_CLASSIFICATIONS, SERVICE_SOURCES } from '@1security/contract';
import { WeightedPicker, type SeededRandom } from './seeded-random';
import type { DirectoryApp, DirectoryResource, DirectoryUser } from './tenant-directory';

/**
 * The catalogue the security-alert generator draws from (security-alerts.generator.ts): alert
 * templates and their weights, triage mixes, countries, phishing senders, analyst comments.
 * Data only; the logic is in the generator.
 */

export const MITRE_TACTICS = [
  'InitialAccess',
  'Execution',
  'Persistence',
  'PrivilegeEscalation',
  'DefenseEvasion',
  'CredentialAccess',
  'Discovery',
  'LateralMovement',
  'Collection',
  'Exfiltration',
  'CommandAndControl',
  'Impact',
] as const;
export type MitreTactic = (typeof MITRE_TACTICS)[number];
export type ServiceSource = (typeof SERVICE_SOURCES)[number];
export type Classification = (typeof SECURITY_ALERT_CLASSIFICATIONS)[number];

export type EvidenceKind =
  | 'user'
  | 'sprayedUsers'
  | 'mailbox'
  | 'phishMessages'
  | 'outboundMessage'
  | 'oauthApp'
  | 'ip'
  | 'device'
  | 'process'
  | 'file'
  | 'securityGroup'
  | 'url'
  | 'cloudApp';

export interface Scenario {
  victim: DirectoryUser;
  /** Everyone the alert concerns; the victim first. */
  victims: DirectoryUser[];
  attackerIp: string;
  country: { code: string; name: string };
  device: { dnsName: string; mdeDeviceId: string; azureAdDeviceId: string };
  app: DirectoryApp;
  group: DirectoryResource;
  phish: { senderEmail: string; senderName: string; senderDomain: string; subject: string; url: string };
  process: { fileName: string; filePath: string; commandLine: string };
  count: number;
}

export interface AlertTemplate {
  title: string;
  category: MitreTactic;
  serviceSource: ServiceSource;
  detectionSource: string;
  weight: number;
  /** Weights for informational, low, medium, high (Graph has no "critical"). */
  severity: readonly [number, number, number, number];
  mitreTechniques: string[];
  threat?: { displayName: string; familyName: string };
  /** Graph `determination` when an analyst confirms it. */
  truePositiveDetermination: string;
  evidence: EvidenceKind[];
  description: (s: Scenario) => string;
  recommendedActions: string;
  process?: (s: Pick<Scenario, 'victim' | 'attackerIp'>, random: SeededRandom) => Scenario['process'];
}

export const steps = (...lines: string[]) => lines.map((line, i) => `${i + 1}. ${line}`).join('\n');

export const RESET_AND_REVOKE = steps(
  'Confirm with the user whether they performed the activity.',
  'If not, reset the password, revoke refresh tokens and sign-in sessions, and require MFA re-registration.',
  'Review the sign-in logs of the account for the past 30 days for other unfamiliar activity.',
  'Check mailbox rules, forwarding and OAuth consents created by the account since the first suspicious activity.',
);

export const TEMPLATES: readonly AlertTemplate[] = [
  {
    title: 'Suspicious email forwarding activity',
    category: 'Exfiltration',
    serviceSource: 'microsoftDefenderForOffice365',
    detectionSource: 'microsoftDefenderForOffice365',
    weight: 7,
    severity: [0, 10, 50, 40],
    mitreTechniques: ['T1114.003', 'T1020'],
    truePositiveDetermination: 'compromisedAccount',
    evidence: ['user', 'mailbox', 'ip'],
    description: (s) =>
      `${s.victim.userPrincipalName} forwarded ${s.count} messages to an external recipient through an inbox rule created from ${s.attackerIp} (${s.country.name}). The account may be compromised.`,
    recommendedActions: steps(
      'Remove the forwarding rule from the mailbox.',
      'Review the forwarded messages for sensitive content.',
      'Reset the user password and revoke sessions.',
      'Block automatic external forwarding in the outbound spam policy.',
    ),
  },
  {
    title: 'Suspicious inbox manipulation rule',
    category: 'DefenseEvasion',
    serviceSource: 'microsoftDefenderForCloudApps',
    detectionSource: 'cloudAppSecurity',
    weight: 5,
    severity: [0, 10, 55, 35],
    mitreTechniques: ['T1564.008'],
    truePositiveDetermination: 'compromisedAccount',
    evidence: ['user', 'mailbox', 'ip'],
    description: (s) =>
      `${s.victim.displayName} created an inbox rule that moves messages containing "invoice", "payment" or "wire" to RSS Subscriptions and marks them as read. The rule was created from ${s.attackerIp}.`,
    recommendedActions: RESET_AND_REVOKE,
  },
  {
    title: 'Email messages containing malicious URL removed after delivery',
    category: 'InitialAccess',
    serviceSource: 'microsoftDefenderForOffice365',
    detectionSource: 'microsoftDefenderForOffice365',
    weight: 10,
    severity: [10, 30, 50, 10],
    mitreTechniques: ['T1566.002'],
    threat: { displayName: 'Phish', familyName: 'Phish' },
    truePositiveDetermination: 'phishing',
    evidence: ['phishMessages', 'url'],
    description: (s) =>
      `Messages from ${s.phish.senderEmail} containing a malicious URL were delivered to ${s.victims.length} mailbox${s.victims.length > 1 ? 'es' : ''} and later removed by zero-hour auto purge (ZAP).`,
    recommendedActions: steps(
      'Check whether any recipient clicked the URL (URL click events in Threat Explorer).',
      'Block the sender domain and the URL in the Tenant Allow/Block List.',
      'Reset the credentials of any recipient who entered them on the phishing page.',
    ),
  },
  {
    title: 'A potentially malicious URL click was detected',
    category: 'InitialAccess',
    serviceSource: 'microsoftDefenderForOffice365',
    detectionSource: 'microsoftDefenderForOffice365',
    weight: 7,
    severity: [0, 10, 40, 50],
    mitreTechniques: ['T1204.001', 'T1566.002'],
    threat: { displayName: 'Phish', familyName: 'Phish' },
    truePositiveDetermination: 'phishing',
    evidence: ['user', 'phishMessages', 'url', 'ip'],
    description: (s) =>
      `${s.victim.displayName} clicked a link in "${s.phish.subject}" that Safe Links later identified as malicious (${s.phish.url}).`,
    recommendedActions: RESET_AND_REVOKE,
  },
  {
    title: 'Email messages containing malware removed after delivery',
    category: 'InitialAccess',
    serviceSource: 'microsoftDefenderForOffice365',
    detectionSource: 'microsoftDefenderForOffice365',
    weight: 5,
    severity: [5, 20, 50, 25],
    mitreTechniques: ['T1566.001'],
    threat: { displayName: 'Trojan:Win32/Emotet', familyName: 'Emotet' },
    truePositiveDetermination: 'malware',
    evidence: ['phishMessages'],
    description: (s) =>
      `Messages with a malicious attachment (Trojan:Win32/Emotet) from ${s.phish.senderEmail} were delivered to ${s.victims.length} mailbox${s.victims.length > 1 ? 'es' : ''} and removed after delivery.`,
    recommendedActions: steps(
      'Check whether any recipient opened the attachment; run a full antivirus scan on their devices.',
      'Block the sender and the attachment hash.',
      'Review the anti-malware policy and enable Safe Attachments dynamic delivery.',
    ),
  },
  {
    title: 'Unfamiliar sign-in properties',
    category: 'InitialAccess',
    serviceSource: 'azureAdIdentityProtection',
    detectionSource: 'azureAdIdentityProtection',
    weight: 10,
    severity: [5, 35, 50, 10],
    mitreTechniques: ['T1078.004'],
    truePositiveDetermination: 'compromisedAccount',
    evidence: ['user', 'ip'],
    description: (s) =>
      `${s.victim.userPrincipalName} signed in from ${s.attackerIp} (${s.country.name}) with an unfamiliar browser, location and ASN for this user.`,
    recommendedActions: RESET_AND_REVOKE,
  },
  {
    title: 'Impossible travel activity',
    category: 'InitialAccess',
    serviceSource: 'microsoftDefenderForCloudApps',
    detectionSource: 'cloudAppSecurity',
    weight: 7,
    severity: [0, 25, 55, 20],
    mitreTechniques: ['T1078'],
    truePositiveDetermination: 'compromisedAccount',
    evidence: ['user', 'ip', 'cloudApp'],
    description: (s) =>
      `${s.victim.displayName} signed in from the United States and from ${s.country.name} (${s.attackerIp}) within ${s.count % 90} minutes.`,
    recommendedActions: RESET_AND_REVOKE,
  },
  {
    title: 'Password spray',
    category: 'CredentialAccess',
    serviceSource: 'azureAdIdentityProtection',
    detectionSource: 'azureAdIdentityProtection',
    weight: 5,
    severity: [0, 10, 50, 40],
    mitreTechniques: ['T1110.003'],
    truePositiveDetermination: 'maliciousUserActivity',
    evidence: ['sprayedUsers', 'ip'],
    description: (s) =>
      `${s.count} failed sign-ins against ${s.victims.length} accounts from ${s.attackerIp} (${s.country.name}) using a small set of common passwords.`,
    recommendedActions: steps(
      'Block the source IP address with a Conditional Access named location.',
      'Reset the passwords of any targeted account that later signed in successfully.',
      'Make sure legacy authentication is blocked and MFA is enforced for every targeted account.',
    ),
  },
  {
    title: 'Suspected brute-force attack (LDAP)',
    category: 'CredentialAccess',
    serviceSource: 'microsoftDefenderForIdentity',
    detectionSource: 'microsoftDefenderForIdentity',
    weight: 3,
    severity: [0, 10, 60, 30],
    mitreTechniques: ['T1110.001'],
    truePositiveDetermination: 'maliciousUserActivity',
    evidence: ['sprayedUsers', 'device'],
    description: (s) =>
      `${s.device.dnsName} made ${s.count} LDAP simple bind attempts against ${s.victims.length} accounts on the domain controller DC01.`,
    recommendedActions: steps(
      'Investigate the source computer for malicious tools.',
      'Enforce complex, long passwords and account lockout for the targeted accounts.',
      'Require LDAP signing and channel binding on domain controllers.',
    ),
  },
  {
    title: 'Possible credential dump from LSASS memory',
    category: 'CredentialAccess',
    serviceSource: 'microsoftDefenderForEndpoint',
    detectionSource: 'microsoftDefenderForEndpoint',
    weight: 3,
    severity: [0, 0, 30, 70],
    mitreTechniques: ['T1003.001'],
    threat: { displayName: 'HackTool:Win32/Mimikatz', familyName: 'Mimikatz' },
    truePositiveDetermination: 'malware',
    evidence: ['user', 'device', 'process'],
    process: () => ({
      fileName: 'rundll32.exe',
      filePath: 'C:\\Windows\\System32',
      commandLine: 'rundll32.exe C:\\Windows\\System32\\comsvcs.dll, MiniDump 672 C:\\Users\\Public\\lsass.dmp full',
    }),
    description: (s) =>
      `A process on ${s.device.dnsName} read the memory of lsass.exe, a technique used to steal credentials. Signed-in user: ${s.victim.userPrincipalName}.`,
    recommendedActions: steps(
      'Isolate the device.',
      'Reset the passwords of every account that signed in to the device.',
      'Enable Credential Guard and the attack surface reduction rule blocking credential stealing from LSASS.',
    ),
  },
  {
    title: 'Suspicious PowerShell command line',
    category: 'Execution',
    serviceSource: 'microsoftDefenderForEndpoint',
    detectionSource: 'microsoftDefenderForEndpoint',
    weight: 6,
    severity: [0, 15, 55, 30],
    mitreTechniques: ['T1059.001', 'T1027'],
    truePositiveDetermination: 'malware',
    evidence: ['user', 'device', 'process'],
    process: () => ({
      fileName: 'powershell.exe',
      filePath: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0',
      commandLine:
        'powershell.exe -NoP -NonI -W Hidden -Enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA',
    }),
    description: (s) =>
      `An encoded PowerShell command that downloads and runs a payload was executed on ${s.device.dnsName} by ${s.victim.accountName}.`,
    recommendedActions: steps(
      'Decode the command line and check the downloaded content.',
      'Run a full antivirus scan and collect an investigation package from the device.',
      'Isolate the device if the payload is confirmed malicious.',
    ),
  },
  {
    title: 'Suspicious process injection observed',
    category: 'DefenseEvasion',
    serviceSource: 'microsoftDefenderForEndpoint',
    detectionSource: 'microsoftDefenderForEndpoint',
    weight: 3,
    severity: [0, 10, 50, 40],
    mitreTechniques: ['T1055'],
    truePositiveDetermination: 'malware',
    evidence: ['user', 'device', 'process'],
    process: (s) => ({
      fileName: 'update.exe',
      filePath: `C:\\Users\\${s.victim.accountName}\\AppData\\Local\\Temp`,
      commandLine: `"C:\\Users\\${s.victim.accountName}\\AppData\\Local\\Temp\\update.exe" /silent`,
    }),
    description: (s) =>
      `update.exe injected code into explorer.exe on ${s.device.dnsName}, which can hide malicious activity.`,
    recommendedActions: steps(
      'Isolate the device.',
      'Submit update.exe for deep analysis.',
      'Look for the same file hash on other devices.',
    ),
  },
  {
    title: 'Suspicious connection blocked by network protection',
    category: 'CommandAndControl',
    serviceSource: 'microsoftDefenderForEndpoint',
    detectionSource: 'microsoftDefenderForEndpoint',
    weight: 4,
    severity: [5, 25, 45, 25],
    mitreTechniques: ['T1071.001'],
    threat: { displayName: 'Behavior:Win32/CobaltStrike.A', familyName: 'CobaltStrike' },
    truePositiveDetermination: 'malware',
    evidence: ['user', 'device', 'process', 'ip'],
    process: () => ({
      fileName: 'rundll32.exe',
      filePath: 'C:\\Windows\\System32',
      commandLine: 'rundll32.exe C:\\ProgramData\\msupd.dll,StartW',
    }),
    description: (s) =>
      `rundll32.exe on ${s.device.dnsName} tried to reach ${s.attackerIp}, a known command-and-control server. Network protection blocked the connection.`,
    recommendedActions: steps(
      'Find how msupd.dll got onto the device.',
      'Isolate the device and run a full scan.',
      'Block the IP address as a custom indicator.',
    ),
  },
  {
    title: 'Ransomware behavior detected in the file system',
    category: 'Impact',
    serviceSource: 'microsoftDefenderForEndpoint',
    detectionSource: 'microsoftDefenderForEndpoint',
    weight: 1.5,
    severity: [0, 0, 10, 90],
    mitreTechniques: ['T1486', 'T1490'],
    threat: { displayName: 'Ransom:Win32/LockBit.A', familyName: 'LockBit' },
    truePositiveDetermination: 'malware',
    evidence: ['user', 'device', 'process', 'file'],
    process: () => ({
      fileName: 'svchost32.exe',
      filePath: 'C:\\ProgramData',
      commandLine: 'C:\\ProgramData\\svchost32.exe -path \\\\srv-file01\\shares -del',
    }),
    description: (s) =>
      `svchost32.exe on ${s.device.dnsName} encrypted ${s.count} files and dropped ransom notes (README-RESTORE-FILES.txt).`,
    recommendedActions: steps(
      'Isolate the device immediately.',
      'Identify the account used and disable it.',
      'Restore affected files from backup; do not pay the ransom.',
      'Hunt for the same process hash across the organisation.',
    ),
  },
  {
    title: 'Unusual file deletion activity',
    category: 'Impact',
    serviceSource: 'microsoftDefenderForCloudApps',
    detectionSource: 'cloudAppSecurity',
    weight: 3,
    severity: [0, 20, 55, 25],
    mitreTechniques: ['T1485'],
    truePositiveDetermination: 'maliciousUserActivity',
    evidence: ['user', 'ip', 'cloudApp'],
    description: (s) => `${s.victim.displayName} deleted ${s.count} files in SharePoint Online in a single session.`,
    recommendedActions: steps(
      'Confirm the deletions with the user or their manager.',
      'Restore the files from the site recycle bin.',
      'Suspend the user if the activity is malicious.',
    ),
  },
  {
    title: 'Mass download by a single user',
    category: 'Exfiltration',
    serviceSource: 'microsoftDefenderForCloudApps',
    detectionSource: 'cloudAppSecurity',
    weight: 5,
    severity: [5, 30, 50, 15],
    mitreTechniques: ['T1567', 'T1530'],
    truePositiveDetermination: 'maliciousUserActivity',
    evidence: ['user', 'ip', 'cloudApp'],
    description: (s) =>
      `${s.victim.displayName} downloaded ${s.count} files from SharePoint Online and OneDrive in under an hour, far above their usual activity.`,
    recommendedActions: steps(
      'Review the downloaded files and their sensitivity labels.',
      'Ask the user and their manager about the business reason.',
      'Revoke sessions if the account may be compromised.',
    ),
  },
  {
    title: 'DLP policy match: credit card numbers sent externally',
    category: 'Exfiltration',
    serviceSource: 'dataLossPrevention',
    detectionSource: 'microsoftDataLossPrevention',
    weight: 5,
    severity: [5, 35, 45, 15],
    mitreTechniques: ['T1048'],
    truePositiveDetermination: 'maliciousUserActivity',
    evidence: ['user', 'outboundMessage'],
    description: (s) =>
      `An email from ${s.victim.userPrincipalName} to an external recipient contained ${(s.count % 40) + 2} credit card numbers and matched the policy "DLP - Credit card numbers".`,
    recommendedActions: steps(
      'Review the message and its attachments in Activity explorer.',
      'Contact the sender about the policy.',
      'Adjust the policy to block rather than audit if this recurs.',
    ),
  },
  {
    title: 'Data leak by departing user',
    category: 'Exfiltration',
    serviceSource: 'microsoftInsiderRiskManagement',
    detectionSource: 'microsoftInsiderRiskManagement',
    weight: 2,
    severity: [0, 20, 50, 30],
    mitreTechniques: ['T1567.002'],
    truePositiveDetermination: 'maliciousUserActivity',
    evidence: ['user'],
    description: (s) =>
      `${s.victim.displayName}, who has resigned, copied ${s.count} files labelled Confidential to personal cloud storage in the last 14 days.`,
    recommendedActions: steps(
      'Open the case in Insider Risk Management and review the activity timeline.',
      'Involve HR and Legal before contacting the user.',
      'Preserve the content with a legal hold if needed.',
    ),
  },
  {
    title: 'App with suspicious OAuth scope made Graph calls to read email',
    category: 'Collection',
    serviceSource: 'microsoftAppGovernance',
    detectionSource: 'appGovernanceDetection',
    weight: 4,
    severity: [0, 15, 45, 40],
    mitreTechniques: ['T1114.002', 'T1528'],
    truePositiveDetermination: 'maliciousUserActivity',
    evidence: ['user', 'oauthApp'],
    description: (s) =>
      `The app "${s.app.displayName}" (publisher: ${s.app.publisher}), consented by ${s.victim.userPrincipalName}, read ${s.count} messages through Microsoft Graph shortly after consent.`,
    recommendedActions: steps(
      'Disable the app and revoke its permissions.',
      'Review which mailboxes the app accessed.',
      'Restrict user consent to verified publishers and low-risk permissions.',
    ),
  },
  {
    title: 'Risky OAuth app consent',
    category: 'Persistence',
    serviceSource: 'microsoftDefenderForCloudApps',
    detectionSource: 'cloudAppSecurity',
    weight: 4,
    severity: [0, 25, 55, 20],
    mitreTechniques: ['T1098.003', 'T1528'],
    truePositiveDetermination: 'compromisedAccount',
    evidence: ['user', 'oauthApp', 'ip'],
    description: (s) =>
      `${s.victim.userPrincipalName} consented to "${s.app.displayName}", an app from an unverified publisher requesting Mail.ReadWrite and offline_access.`,
    recommendedActions: steps(
      'Review the app permissions and who consented.',
      'Ban the app if it is not needed.',
      'Reset the user credentials if the consent was not intended.',
    ),
  },
  {
    title: 'Suspicious additions to sensitive groups',
    category: 'Persistence',
    serviceSource: 'microsoftDefenderForIdentity',
    detectionSource: 'microsoftDefenderForIdentity',
    weight: 2.5,
    severity: [0, 10, 40, 50],
    mitreTechniques: ['T1098'],
    truePositiveDetermination: 'maliciousUserActivity',
    evidence: ['user', 'securityGroup', 'device'],
    description: (s) =>
      `${s.victim.accountName} was added to the sensitive group "${s.group.name}" from ${s.device.dnsName}.`,
    recommendedActions: steps(
      'Confirm the change with the group owner.',
      'Remove the member if the change was not approved.',
      'Review changes made by the account that performed the addition.',
    ),
  },
  {
    title: 'Suspicious Azure role assignment detected',
    category: 'PrivilegeEscalation',
    serviceSource: 'microsoftDefenderForCloud',
    detectionSource: 'microsoftDefenderForCloud',
    weight: 2,
    severity: [0, 15, 50, 35],
    mitreTechniques: ['T1098.003', 'T1078.004'],
    truePositiveDetermination: 'maliciousUserActivity',
    evidence: ['user', 'ip'],
    description: (s) =>
      `${s.victim.userPrincipalName} assigned the Owner role on subscription "Contoso Production" from ${s.attackerIp}, an address not seen for this user.`,
    recommendedActions: steps(
      'Verify the role assignment with the subscription owner.',
      'Remove it if unauthorised and review activity by the assignee.',
      'Use Privileged Identity Management for standing access.',
    ),
  },
  {
    title: 'User and IP address reconnaissance (SMB)',
    category: 'Discovery',
    serviceSource: 'microsoftDefenderForIdentity',
    detectionSource: 'microsoftDefenderForIdentity',
    weight: 2.5,
    severity: [5, 35, 50, 10],
    mitreTechniques: ['T1049', 'T1087.002'],
    truePositiveDetermination: 'maliciousUserActivity',
    evidence: ['user', 'device'],
    description: (s) =>
      `${s.device.dnsName} enumerated SMB sessions on ${(s.count % 12) + 2} domain controllers using ${s.victim.accountName}'s account.`,
    recommendedActions: steps(
      'Investigate the source computer.',
      'Restrict SMB session enumeration with the Net Cease hardening.',
      'Check the account for further lateral movement.',
    ),
  },
  {
    title: 'Suspected identity theft (pass-the-hash)',
    category: 'LateralMovement',
    serviceSource: 'microsoftDefenderForIdentity',
    detectionSource: 'microsoftDefenderForIdentity',
    weight: 2,
    severity: [0, 0, 35, 65],
    mitreTechniques: ['T1550.002'],
    truePositiveDetermination: 'compromisedAccount',
    evidence: ['user', 'device'],
    description: (s) =>
      `${s.victim.accountName}'s NTLM hash was used from ${s.device.dnsName} to access resources the user never accesses from that computer.`,
    recommendedActions: steps(
      'Reset the account password twice.',
      'Isolate the source computer and look for credential theft tools.',
      'Review lateral movement paths to sensitive accounts.',
    ),
  },
  {
    title: 'Business email compromise (BEC) financial fraud attempt',
    category: 'Collection',
    serviceSource: 'microsoft365Defender',
    detectionSource: 'microsoft365Defender',
    weight: 3,
    severity: [0, 0, 35, 65],
    mitreTechniques: ['T1114.002', 'T1534'],
    truePositiveDetermination: 'multiStagedAttack',
    evidence: ['user', 'mailbox', 'phishMessages', 'ip'],
    description: (s) =>
      `After a suspicious sign-in from ${s.attackerIp}, ${s.victim.displayName}'s mailbox was searched for "invoice" and "payment", and a message asking to change bank details was sent.`,
    recommendedActions: RESET_AND_REVOKE,
  },
  {
    title: 'Multiple failed sign-ins followed by a successful sign-in',
    category: 'CredentialAccess',
    serviceSource: 'microsoftSentinel',
    detectionSource: 'scheduledAlerts',
    weight: 4,
    severity: [5, 35, 50, 10],
    mitreTechniques: ['T1110'],
    truePositiveDetermination: 'compromisedAccount',
    evidence: ['user', 'ip'],
    description: (s) =>
      `${(s.count % 60) + 10} failed sign-ins for ${s.victim.userPrincipalName} from ${s.attackerIp} were followed by a successful sign-in from the same address.`,
    recommendedActions: RESET_AND_REVOKE,
  },
];

export const TEMPLATE_PICKER = new WeightedPicker(TEMPLATES.map((t) => [t, t.weight] as const));
export const SEVERITY_LEVELS = ['informational', 'low', 'medium', 'high'] as const;
export const SEVERITY_PICKERS = new Map(
  TEMPLATES.map((t) => [t, new WeightedPicker(SEVERITY_LEVELS.map((s, i) => [s, t.severity[i] as number] as const))]),
);
export const STATUS = new WeightedPicker([
  ['new', 40],
  ['inProgress', 22],
  ['resolved', 38],
] as const);
export const RESOLVED_CLASSIFICATION = new WeightedPicker<Classification>([
  ['truePositive', 45],
  ['falsePositive', 25],
  ['informationalExpectedActivity', 25],
  ['unknown', 5],
]);
export const IN_PROGRESS_CLASSIFICATION = new WeightedPicker<Classification | null>([
  [null, 60],
  ['unknown', 25],
  ['truePositive', 15],
]);
export const COUNTRIES = [
  { code: 'NG', name: 'Nigeria' },
  { code: 'RU', name: 'Russia' },
  { code: 'BR', name: 'Brazil' },
  { code: 'VN', name: 'Vietnam' },
  { code: 'RO', name: 'Romania' },
  { code: 'ID', name: 'Indonesia' },
  { code: 'UA', name: 'Ukraine' },
  { code: 'CN', name: 'China' },
  { code: 'NL', name: 'the Netherlands' },
];
export const PHISH_SENDERS = [
  { domain: 'c0ntoso-payroll.com', local: 'payroll', name: 'Contoso Payroll' },
  { domain: 'contoso-sharepoint.net', local: 'no-reply', name: 'SharePoint Online' },
  { domain: 'm365-account-verify.com', local: 'security', name: 'Microsoft 365 Security' },
  { domain: 'docu-sign-secure.net', local: 'dse', name: 'DocuSign via Adatum' },
  { domain: 'fabrikam-invoices.co', local: 'accounts', name: 'Fabrikam Accounts Payable' },
];
export const PHISH_SUBJECTS = [
  'Action required: verify your mailbox',
  'Payroll update - sign by end of day',
  'You have received a secure document',
  'Invoice 48213 overdue - new bank details',
  'Your Microsoft 365 password expires today',
  'Voicemail message (00:47)',
];
export const ANALYST_COMMENTS: Record<Classification, string[]> = {
  truePositive: [
    'Confirmed with the user; password reset and sessions revoked.',
    'Contained: device isolated, account disabled pending review.',
  ],
  falsePositive: [
    'User was travelling; sign-in confirmed by phone.',
    'Benign: the URL was a marketing tracker misclassified.',
  ],
  informationalExpectedActivity: [
    'Planned red team exercise (ticket SEC-2291).',
    'Migration tool run by IT; expected.',
  ],
  unknown: ['Not enough data to confirm; closing and monitoring the account.'],
};
export const BENIGN_DETERMINATIONS: Record<Exclude<Classification, 'truePositive'>, string[]> = {
  falsePositive: ['notMalicious', 'notEnoughDataToValidate'],
  informationalExpectedActivity: [
    'securityTesting',
    'confirmedUserActivity',
    'lineOfBusinessApplication',
    'securityPersonnel',
  ],
  unknown: ['unknown'],
};
export const SOURCE_ID_PREFIX: Record<ServiceSource, string> = {
  microsoftDefenderForEndpoint: 'da',
  microsoftDefenderForIdentity: 'aa',
  microsoftDefenderForCloudApps: 'ca',
  microsoftDefenderForOffice365: 'fa',
  microsoft365Defender: 'ed',
  azureAdIdentityProtection: 'ad',
  microsoftAppGovernance: 'ma',
  dataLossPrevention: 'dl',
  microsoftDefenderForCloud: 'dc',
  microsoftSentinel: 'sn',
  microsoftInsiderRiskManagement: 'ir',
};

export const MINUTE_MS = 60_000;

/** Graph writes timestamps with seven fractional digits. */
export const graphTime = (ms: number) => new Date(ms).toISOString().replace('Z', '0000Z');

export type Evidence = Record<string, unknown> & { '@odata.type': string };

/** Graph `productName` per service source. */
export const PRODUCT_NAMES: Record<ServiceSource, string> = {
  microsoftDefenderForEndpoint: 'Microsoft Defender for Endpoint',
  microsoftDefenderForIdentity: 'Microsoft Defender for Identity',
  microsoftDefenderForCloudApps: 'Microsoft Defender for Cloud Apps',
  microsoftDefenderForOffice365: 'Microsoft Defender for Office 365',
  microsoft365Defender: 'Microsoft Defender XDR',
  azureAdIdentityProtection: 'Microsoft Entra ID Protection',
  microsoftAppGovernance: 'App governance',
  dataLossPrevention: 'Microsoft Purview Data Loss Prevention',
  microsoftDefenderForCloud: 'Microsoft Defender for Cloud',
  microsoftSentinel: 'Microsoft Sentinel',
  microsoftInsiderRiskManagement: 'Microsoft Purview Insider Risk Management',
};
