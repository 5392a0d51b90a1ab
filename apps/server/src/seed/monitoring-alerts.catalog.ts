import { SEVERITIES, type MonitoringAlert } from '@1security/contract';
import { WeightedPicker, type SeededRandom } from './seeded-random';
import { siteUrl, unfamiliarIp, type DirectoryUser, type TenantDirectory } from './tenant-directory';

/**
 * The catalogue the monitoring-alert generator draws from (monitoring-alerts.generator.ts):
 * 1Security's monitoring policies with their weights, severity mixes and how each drafts an
 * alert's name, resources and description; the triage-state mix. Data only; the logic is in
 * the generator.
 */

export type Resource = MonitoringAlert['resources'][number];

export interface AlertContext {
  random: SeededRandom;
  directory: TenantDirectory;
  user: DirectoryUser;
}

export interface Drafted {
  name: string;
  resources: Resource[];
  description: string;
}

export interface PolicyTemplate {
  policyName: string;
  weight: number;
  resourceType: string;
  /** Weights for informational, low, medium, high, critical. */
  severity: readonly [number, number, number, number, number];
  draft: (ctx: AlertContext) => Drafted;
}

export const COUNTRIES = [
  'Nigeria',
  'Russia',
  'Brazil',
  'Vietnam',
  'Romania',
  'Indonesia',
  'Ukraine',
  'China',
  'Netherlands',
];
export const SENSITIVE_FILES = [
  'Salary bands.xlsx',
  'Payroll June.xlsx',
  'Board deck.pptx',
  'Due diligence - Falcon.docx',
  'Customer list.csv',
  'FY26 Budget.xlsx',
  'Offer letter - template.docx',
];
export const ROLES = [
  'Global Administrator',
  'Exchange Administrator',
  'Privileged Role Administrator',
  'Security Administrator',
];
export const PERMISSIONS = [
  'Mail.ReadWrite',
  'Mail.Send',
  'Files.ReadWrite.All',
  'Sites.Read.All',
  'Contacts.Read',
  'offline_access',
  'User.Read.All',
];
export const LEGACY_PROTOCOLS = ['IMAP4', 'POP3', 'Authenticated SMTP', 'Exchange ActiveSync (basic auth)'];

export const userResource = (u: DirectoryUser): Resource => ({
  id: u.objectId,
  name: u.userPrincipalName,
  type: 'user',
});
export const mailboxResource = (u: DirectoryUser): Resource => ({
  id: u.objectId,
  name: u.userPrincipalName,
  type: 'mailbox',
});

export const POLICIES: readonly PolicyTemplate[] = [
  {
    policyName: 'External sharing of labelled content',
    weight: 14,
    resourceType: 'site',
    severity: [0, 10, 45, 35, 10],
    draft: ({ random, directory, user }) => {
      const site = random.pick(directory.sites.filter((s) => s.sensitive));
      const file = random.pick(SENSITIVE_FILES);
      const guest = random.pick(directory.guests);
      return {
        name: 'External sharing of sensitive file',
        resources: [
          { id: site.id, name: site.name, type: 'site' },
          { id: random.guid(), name: file, type: 'file' },
        ],
        description: `${user.displayName} shared "${file}" (label: Confidential) from the ${site.name} site (${siteUrl(site)}) with the external address ${guest.email}.`,
      };
    },
  },
  {
    policyName: 'Anonymous links on sensitive sites',
    weight: 8,
    resourceType: 'site',
    severity: [0, 5, 40, 45, 10],
    draft: ({ random, directory, user }) => {
      const site = random.pick(directory.sites.filter((s) => s.sensitive));
      const links = random.int(1, 6);
      return {
        name: 'Anonymous link created on a sensitive site',
        resources: [{ id: site.id, name: site.name, type: 'site' }],
        description: `${user.displayName} created ${links} "Anyone with the link" sharing link${links > 1 ? 's' : ''} on ${siteUrl(site)}. Anyone holding the link can open the content without signing in.`,
      };
    },
  },
  {
    policyName: 'Unusual download volume',
    weight: 10,
    resourceType: 'user',
    severity: [0, 15, 45, 30, 10],
    draft: ({ random, directory, user }) => {
      const site = random.pick(directory.sites);
      const files = random.int(120, 2400);
      return {
        name: 'Unusual volume of file downloads',
        resources: [userResource(user), { id: site.id, name: site.name, type: 'site' }],
        description: `${user.userPrincipalName} downloaded ${files} files from ${site.name} in ${random.int(5, 55)} minutes, ${random.int(8, 60)}x their 30-day baseline.`,
      };
    },
  },
  {
    policyName: 'Mass deletion',
    weight: 6,
    resourceType: 'site',
    severity: [0, 10, 40, 40, 10],
    draft: ({ random, directory, user }) => {
      const site = random.pick(directory.sites);
      return {
        name: 'Mass file deletion',
        resources: [{ id: site.id, name: site.name, type: 'site' }, userResource(user)],
        description: `${random.int(200, 5000)} files were deleted from ${siteUrl(site)} by ${user.userPrincipalName} within ${random.int(2, 30)} minutes.`,
      };
    },
  },
  {
    policyName: 'External mail forwarding',
    weight: 9,
    resourceType: 'mailbox',
    severity: [0, 5, 30, 50, 15],
    draft: ({ random, user }) => {
      const target = `${random.pick(['archive', 'backup', 'j.doe', 'invoices', 'mail'])}${random.int(1, 99)}@${random.pick(['gmail.com', 'outlook.com', 'proton.me', 'yandex.com'])}`;
      return {
        name: 'Mailbox forwarding to an external address',
        resources: [mailboxResource(user)],
        description: `An inbox rule on ${user.userPrincipalName} forwards every incoming message to ${target}.`,
      };
    },
  },
  {
    policyName: 'Privileged role changes',
    weight: 7,
    resourceType: 'user',
    severity: [0, 0, 20, 50, 30],
    draft: ({ random, directory, user }) => {
      const role = random.pick(ROLES);
      const by = random.pick(directory.admins);
      return {
        name: `User added to ${role}`,
        resources: [userResource(user), { id: random.guid(), name: role, type: 'role' }],
        description: `${user.userPrincipalName} was made a permanent ${role} by ${by.userPrincipalName}, outside Privileged Identity Management.`,
      };
    },
  },
  {
    policyName: 'Guest access to sensitive teams',
    weight: 8,
    resourceType: 'team',
    severity: [0, 20, 50, 25, 5],
    draft: ({ random, directory, user }) => {
      const team = random.pick(directory.teams.filter((t) => t.sensitive));
      const guest = random.pick(directory.guests);
      return {
        name: 'Guest added to a sensitive team',
        resources: [
          { id: team.id, name: team.name, type: 'team' },
          { id: guest.objectId, name: guest.userPrincipalName, type: 'user' },
        ],
        description: `${user.displayName} added the guest ${guest.email} to the team "${team.name}", which is classified Highly Confidential.`,
      };
    },
  },
  {
    policyName: 'Risky OAuth consent',
    weight: 7,
    resourceType: 'application',
    severity: [0, 5, 35, 45, 15],
    draft: ({ random, directory, user }) => {
      const app = random.pick(directory.apps.filter((a) => a.risky));
      return {
        name: 'OAuth app granted high-risk permissions',
        resources: [{ id: app.appId, name: app.displayName, type: 'application' }, userResource(user)],
        description: `${user.userPrincipalName} consented to "${app.displayName}" (publisher: ${app.publisher}) with ${random.sample(PERMISSIONS, 3).join(', ')}.`,
      };
    },
  },
  {
    policyName: 'MFA configuration drift',
    weight: 8,
    resourceType: 'user',
    severity: [0, 10, 40, 40, 10],
    draft: ({ random, directory, user }) => {
      const by = random.pick(directory.admins);
      return {
        name: 'MFA disabled for a user',
        resources: [userResource(user)],
        description: `Multi-factor authentication was disabled for ${user.userPrincipalName} by ${by.userPrincipalName}; the account is now excluded from "Require MFA for all users".`,
      };
    },
  },
  {
    policyName: 'Impossible travel',
    weight: 10,
    resourceType: 'user',
    severity: [0, 10, 45, 35, 10],
    draft: ({ random, user }) => {
      const country = random.pick(COUNTRIES);
      return {
        name: 'Sign-in from an unfamiliar country',
        resources: [userResource(user)],
        description: `${user.userPrincipalName} signed in from ${country} (${unfamiliarIp(random)}) ${random.int(8, 90)} minutes after a sign-in from the United States.`,
      };
    },
  },
  {
    policyName: 'Guest account hygiene',
    weight: 5,
    resourceType: 'user',
    severity: [30, 60, 10, 0, 0],
    draft: ({ random, directory }) => {
      const guests = random.sample(directory.guests, random.int(2, 6));
      return {
        name: 'Inactive guest accounts',
        resources: guests.map((g) => ({ id: g.objectId, name: g.userPrincipalName, type: 'user' })),
        description: `${guests.length} guest accounts have not signed in for more than 90 days but still have access to ${random.int(1, 9)} sites.`,
      };
    },
  },
  {
    policyName: 'Team visibility',
    weight: 5,
    resourceType: 'team',
    severity: [10, 50, 35, 5, 0],
    draft: ({ random, directory, user }) => {
      const team = random.pick(directory.teams);
      return {
        name: 'Public team contains sensitive files',
        resources: [{ id: team.id, name: team.name, type: 'team' }],
        description: `The public team "${team.name}" (owner ${user.displayName}) holds ${random.int(2, 40)} files labelled Confidential.`,
      };
    },
  },
  {
    policyName: 'Audit configuration',
    weight: 3,
    resourceType: 'mailbox',
    severity: [0, 0, 30, 55, 15],
    draft: ({ user }) => ({
      name: 'Mailbox auditing disabled',
      resources: [mailboxResource(user)],
      description: `Mailbox auditing was turned off for ${user.userPrincipalName} (AuditEnabled = False). Actions on this mailbox are no longer recorded.`,
    }),
  },
  {
    policyName: 'Conditional Access changes',
    weight: 4,
    resourceType: 'policy',
    severity: [0, 15, 45, 35, 5],
    draft: ({ random, directory }) => {
      const policy = random.pick(directory.policies.slice(0, 5));
      const by = random.pick(directory.admins);
      return {
        name: 'Conditional Access policy changed',
        resources: [{ id: policy.id, name: policy.name, type: 'policy' }],
        description: `${by.userPrincipalName} changed the Conditional Access policy "${policy.name}": ${random.pick(['state set to Report-only', 'the group "MFA Exclusions" was excluded', 'the policy was disabled', 'trusted locations were widened'])}.`,
      };
    },
  },
  {
    policyName: 'Legacy authentication',
    weight: 5,
    resourceType: 'user',
    severity: [0, 35, 50, 15, 0],
    draft: ({ random, user }) => ({
      name: 'Legacy authentication sign-ins',
      resources: [userResource(user)],
      description: `${user.userPrincipalName} signed in ${random.int(3, 400)} times with ${random.pick(LEGACY_PROTOCOLS)}, which bypasses multi-factor authentication.`,
    }),
  },
  {
    policyName: 'SharePoint admin changes',
    weight: 3,
    resourceType: 'site',
    severity: [0, 20, 45, 30, 5],
    draft: ({ random, directory, user }) => {
      const site = random.pick(directory.sites);
      return {
        name: 'Site collection administrator added',
        resources: [{ id: site.id, name: site.name, type: 'site' }, userResource(user)],
        description: `${user.userPrincipalName} was added as a site collection administrator of ${siteUrl(site)}.`,
      };
    },
  },
];

export const POLICY_PICKER = new WeightedPicker(POLICIES.map((p) => [p, p.weight] as const));
export const SEVERITY_PICKERS = new Map(
  POLICIES.map((p) => [p, new WeightedPicker(SEVERITIES.map((s, i) => [s, p.severity[i] as number] as const))]),
);
export const STATUS = new WeightedPicker([
  ['open', 35],
  ['acknowledged', 20],
  ['snoozed', 10],
  ['resolved', 35],
] as const);
