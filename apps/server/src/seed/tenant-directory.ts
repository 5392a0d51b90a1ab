import { SeededRandom, WeightedPicker } from './seeded-random';

/**
 * The make-believe organisation behind seeded data: Contoso's people, admins, guests, apps,
 * sites, teams and networks. Logs and alerts draw from the same directory, so the users an
 * alert names are people who also appear in the audit log, from the same IP addresses.
 */

export const HOME_DOMAIN = 'contoso.com';
export const TENANT_DOMAIN = 'contoso.onmicrosoft.com';
export const PARTNER_DOMAINS = [
  'fabrikam.com',
  'northwindtraders.com',
  'adatum.com',
  'tailspintoys.com',
  'wingtiptoys.com',
] as const;

export interface DirectoryUser {
  objectId: string;
  userPrincipalName: string;
  displayName: string;
  accountName: string;
  department: string;
  /** On-premises SID: Contoso syncs its directory from Active Directory. */
  sid: string;
  /** Home broadband / mobile addresses this person signs in from besides the office. */
  homeIps: string[];
}

export interface DirectoryGuest {
  objectId: string;
  /** The guest's UPN in this tenant, `jane_fabrikam.com#EXT#@contoso.onmicrosoft.com`. */
  userPrincipalName: string;
  email: string;
  displayName: string;
  ip: string;
}

export interface DirectoryApp {
  appId: string;
  objectId: string;
  displayName: string;
  publisher: string;
  /** Unverified publisher asking for broad mail/file permissions: what alerts are about. */
  risky: boolean;
}

export interface DirectoryResource {
  id: string;
  name: string;
  /** True for the places sensitive-content policies watch (Finance, HR, Legal…). */
  sensitive: boolean;
}

export interface TenantDirectory {
  /** The Entra ID tenant id (a GUID), as Microsoft payloads carry it. */
  tenantGuid: string;
  users: DirectoryUser[];
  /** Separate privileged accounts (`adm.jane.doe@contoso.com`) plus the break-glass account. */
  admins: DirectoryUser[];
  guests: DirectoryGuest[];
  /** The SOC analysts alerts get assigned to. */
  analysts: DirectoryUser[];
  apps: DirectoryApp[];
  sites: DirectoryResource[];
  teams: DirectoryResource[];
  groups: DirectoryResource[];
  policies: DirectoryResource[];
  /** The office egress addresses most activity comes from. */
  officeIps: string[];
  /** Some people are far busier than others. */
  activeUser: WeightedPicker<DirectoryUser>;
}

const FIRST_NAMES = (
  'Adele Alex Allan Amara Ana Ben Bianca Carlos Chen Christie Daniel Diego Elena Emily Fatima Grady ' +
  'Hannah Henrietta Hiroshi Isaiah Ivan Jane Johanna Jonas Joni Kenji Lee Leila Lidia Lynne Malik Maria ' +
  'Megan Miriam Nestor Nia Olga Omar Patti Pradeep Priya Rafael Raj Rosa Samir Sara Sofia Tomasz Wei ' +
  'Yuki Zara'
).split(' ');
const LAST_NAMES = (
  'Adams Alvarez Bauer Brown Chowdhury Cohen Costa Dubois Eriksen Fernandes Garcia Gupta Haddad Hansen ' +
  'Ito Jensen Kim Kowalski Larsen Lopez Martin Mensah Moreau Müller Nakamura Nguyen Novak Okafor Olsen ' +
  'Patel Petrov Rossi Santos Schmidt Silva Singh Smith Sullivan Tanaka Taylor Vance Wagner Wilber ' +
  'Williams Wong Yilmaz Zhang'
).split(' ');
const DEPARTMENTS: ReadonlyArray<readonly [string, number]> = [
  ['Sales', 22],
  ['Engineering', 20],
  ['Marketing', 10],
  ['Finance', 9],
  ['Operations', 9],
  ['Customer Success', 8],
  ['Human Resources', 6],
  ['Legal', 4],
  ['IT', 6],
  ['Executive', 3],
  ['Procurement', 3],
];
const SITES = [
  ['Finance', true],
  ['HR', true],
  ['Legal', true],
  ['Executive Leadership', true],
  ['Mergers and Acquisitions', true],
  ['Marketing', false],
  ['Sales', false],
  ['Engineering', false],
  ['IT', false],
  ['Procurement', false],
  ['Customer Success', false],
  ['Project Phoenix', false],
  ['All Company', false],
  ['Brand Assets', false],
] as const;
const TEAMS = [
  ['Project Phoenix', false],
  ['Leadership Team', true],
  ['Finance Close', true],
  ['M&A - Project Falcon', true],
  ['Marketing', false],
  ['Sales EMEA', false],
  ['Sales North America', false],
  ['Engineering', false],
  ['IT Operations', false],
  ['Customer Success', false],
  ['Contoso Social Club', false],
  ['Vendor Collaboration', false],
] as const;
const GROUPS = [
  ['All Staff', false],
  ['Finance Team', true],
  ['Executives', true],
  ['Domain Admins', true],
  ['Helpdesk Operators', true],
  ['MFA Exclusions', true],
  ['VPN Users', false],
  ['Sales EMEA', false],
  ['Engineering', false],
  ['Contractors', false],
] as const;
const POLICIES = [
  'Require MFA for all users',
  'Block legacy authentication',
  'Require compliant device for admins',
  'Block sign-ins from high-risk countries',
  'Sign-in risk policy',
  'Default anti-phishing policy',
  'Safe Links policy',
  'External sharing - Finance',
  'DLP - Credit card numbers',
  'Retention - Mailboxes 7 years',
];
const APPS: ReadonlyArray<readonly [string, string, boolean]> = [
  ['Zoom', 'Zoom Video Communications, Inc.', false],
  ['Salesforce', 'Salesforce.com, Inc.', false],
  ['DocuSign', 'DocuSign, Inc.', false],
  ['Adobe Acrobat Sign', 'Adobe Inc.', false],
  ['Slack', 'Slack Technologies, LLC', false],
  ['Atlassian Jira Cloud', 'Atlassian', false],
  ['Miro', 'RealtimeBoard, Inc.', false],
  ['Grammarly', 'Grammarly, Inc.', false],
  ['Mail Backup Pro', 'mailbackup-pro (unverified)', true],
  ['PDF Converter Online', 'pdf-conv.app (unverified)', true],
  ['Invoice Viewer', 'invoice-viewer365 (unverified)', true],
  ['SecureDoc Share', 'securedoc-share (unverified)', true],
];
const ANALYSTS = [
  ['Samira', 'Haddad'],
  ['Tom', 'Becker'],
  ['Grace', 'Liu'],
  ['Mateo', 'Rivera'],
  ['Ingrid', 'Solberg'],
] as const;

/** First octets of public IPv4 space (no private, CGNAT, loopback, link-local or multicast). */
const PUBLIC_FIRST_OCTETS = [
  20, 23, 24, 31, 37, 40, 45, 46, 51, 52, 62, 64, 66, 68, 69, 71, 72, 73, 76, 78, 80, 81, 82, 84, 86, 89, 91, 94, 96,
  98, 99, 104, 107, 108, 109, 134, 137, 141, 146, 151, 154, 157, 162, 173, 176, 178, 185, 188, 193, 195, 203, 212, 213,
  217,
];
/** Where an attacker's infrastructure tends to sit: hosting and VPN ranges far from the office. */
const UNFAMILIAR_FIRST_OCTETS = [
  5, 41, 45, 46, 77, 91, 102, 103, 109, 146, 176, 179, 185, 188, 193, 194, 196, 197, 201,
];

export function publicIp(random: SeededRandom, firstOctets: readonly number[] = PUBLIC_FIRST_OCTETS): string {
  return `${random.pick(firstOctets)}.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(1, 254)}`;
}

export function unfamiliarIp(random: SeededRandom): string {
  return publicIp(random, UNFAMILIAR_FIRST_OCTETS);
}

function sid(random: SeededRandom, domainSid: string): string {
  return `${domainSid}-${random.int(1100, 48_000)}`;
}

function slug(name: string): string {
  return name.replace(/[^A-Za-z0-9]+/g, '');
}

/** Builds the organisation from its own random stream: the same seed, the same people. */
export function buildTenantDirectory(random: SeededRandom, size = 180): TenantDirectory {
  // Domain SIDs: S-1-5-21 and three 32-bit sub-authorities.
  const subAuthority = () => random.int(1_000_000_000, 4_294_967_295);
  const domainSid = `S-1-5-21-${subAuthority()}-${subAuthority()}-${subAuthority()}`;
  const department = new WeightedPicker(DEPARTMENTS);
  const taken = new Set<string>();
  const person = (first: string, last: string): DirectoryUser => {
    let account = `${first}.${last}`
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase();
    for (let n = 2; taken.has(account); n++)
      account = `${first}.${last}${n}`
        .normalize('NFD')
        .replace(/[\u0300-\u036f]/g, '')
        .toLowerCase();
    taken.add(account);
    return {
      objectId: random.guid(),
      userPrincipalName: `${account}@${HOME_DOMAIN}`,
      displayName: `${first} ${last}`,
      accountName: account,
      department: department.pick(random),
      sid: sid(random, domainSid),
      homeIps: Array.from({ length: random.int(1, 2) }, () => publicIp(random)),
    };
  };

  const users = Array.from({ length: size }, () => person(random.pick(FIRST_NAMES), random.pick(LAST_NAMES)));
  const analysts = ANALYSTS.map(([first, last]) => ({ ...person(first, last), department: 'Security Operations' }));
  users.push(...analysts);

  const admins = random
    .sample(
      users.filter((u) => u.department === 'IT'),
      3,
    )
    .map((u) => ({
      ...u,
      objectId: random.guid(),
      userPrincipalName: `adm.${u.accountName}@${HOME_DOMAIN}`,
      displayName: `${u.displayName} (Admin)`,
      accountName: `adm.${u.accountName}`,
      sid: sid(random, domainSid),
    }));
  admins.push({
    objectId: random.guid(),
    userPrincipalName: `breakglass@${TENANT_DOMAIN}`,
    displayName: 'Break Glass Account',
    accountName: 'breakglass',
    department: 'IT',
    sid: sid(random, domainSid),
    homeIps: [],
  });

  const guests = Array.from({ length: 18 }, (): DirectoryGuest => {
    const first = random.pick(FIRST_NAMES);
    const last = random.pick(LAST_NAMES);
    const domain = random.chance(0.15) ? 'gmail.com' : random.pick(PARTNER_DOMAINS);
    const email = `${first}.${last}@${domain}`
      .toLowerCase()
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '');
    return {
      objectId: random.guid(),
      userPrincipalName: `${email.replace('@', '_')}#EXT#@${TENANT_DOMAIN}`,
      email,
      displayName: `${first} ${last} (${domain.split('.')[0]})`,
      ip: publicIp(random),
    };
  });

  // Zipf-like activity: a few people generate much of the audit volume.
  const activeUser = new WeightedPicker(
    users.map((u, rank) => [u, (0.5 + random.next()) / Math.pow(rank + 3, 0.8)] as const),
  );

  const resource = (name: string, sensitive: boolean): DirectoryResource => ({ id: random.guid(), name, sensitive });
  const officeBase = `${random.pick(PUBLIC_FIRST_OCTETS)}.${random.int(0, 255)}.${random.int(0, 255)}`;
  return {
    tenantGuid: random.guid(),
    users,
    admins,
    guests,
    analysts,
    apps: APPS.map(([displayName, publisher, risky]) => ({
      appId: random.guid(),
      objectId: random.guid(),
      displayName,
      publisher,
      risky,
    })),
    sites: SITES.map(([name, sensitive]) => resource(name, sensitive)),
    teams: TEAMS.map(([name, sensitive]) => resource(name, sensitive)),
    groups: GROUPS.map(([name, sensitive]) => resource(name, sensitive)),
    policies: POLICIES.map((name) => resource(name, true)),
    officeIps: [1, 2, 3].map(() => `${officeBase}.${random.int(1, 254)}`),
    activeUser,
  };
}

export function siteUrl(site: DirectoryResource): string {
  return `https://contoso.sharepoint.com/sites/${slug(site.name)}`;
}

export function oneDriveUrl(user: DirectoryUser): string {
  return `https://contoso-my.sharepoint.com/personal/${user.userPrincipalName.replace(/[@.]/g, '_')}`;
}
