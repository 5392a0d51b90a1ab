import type { Severity } from '@1security/contract';
import { ulid } from 'ulid';
import { normaliseGraphAlert } from '../ingest/graph.normaliser';
import type { NewSecurityAlertRow } from '../security-alerts/security-alerts.table';
import { ActivityTimeline } from './activity-timeline';
import type { GenerateOptions } from './generator-options';
import {
  BENIGN_DETERMINATIONS,
  COUNTRIES,
  IN_PROGRESS_CLASSIFICATION,
  MINUTE_MS,
  PHISH_SENDERS,
  PHISH_SUBJECTS,
  PRODUCT_NAMES,
  RESOLVED_CLASSIFICATION,
  SEVERITY_PICKERS,
  SOURCE_ID_PREFIX,
  STATUS,
  TEMPLATE_PICKER,
  ANALYST_COMMENTS,
  graphTime,
  type AlertTemplate,
  type Classification,
  type Evidence,
  type EvidenceKind,
  type Scenario,
} from './security-alerts.catalog';
import type { SeededRandom, WeightedPicker } from './seeded-random';
import { HOME_DOMAIN, unfamiliarIp, type DirectoryUser } from './tenant-directory';

/**
 * Microsoft Defender / Sentinel alerts as Microsoft Graph `alerts_v2` returns them, evidence
 * included. The list fields (users, groups, emails, apps) are extracted from that evidence by
 * ingestion's own normaliser (`ingest --format graph`): a seeded alert is stored exactly as
 * ingesting its Graph object would store it. The catalogue is security-alerts.catalog.ts.
 */

export function* generateSecurityAlerts(options: GenerateOptions): Generator<NewSecurityAlertRow> {
  const { random, directory, count, tenantId, now } = options;
  const windowMs = (options.windowDays ?? 30) * 86_400_000;
  const timeline = new ActivityTimeline(random.fork('timeline'), { start: now - windowMs, end: now - 60_000 });
  const MINUTE = MINUTE_MS;
  const HOUR = 60 * MINUTE;
  // A change some time after `from`; for a young alert, somewhere between `from` and now.
  const later = (from: number, min: number, median: number, max: number) => {
    const at = from + random.skewed(min, median, max);
    const fraction = random.next(); // drawn either way: the same seed draws the same numbers whatever `now` is
    return at < now ? at : from + Math.floor(fraction * (now - from));
  };
  let incidentId = 4_000 + random.int(0, 5_000);

  for (let i = 0; i < count; i++) {
    const template = TEMPLATE_PICKER.pick(random);
    const severity: Severity = (SEVERITY_PICKERS.get(template) as WeightedPicker<Severity>).pick(random);
    const status = STATUS.pick(random);
    const classification: Classification | null =
      status === 'resolved'
        ? RESOLVED_CLASSIFICATION.pick(random)
        : status === 'inProgress'
          ? IN_PROGRESS_CLASSIFICATION.pick(random)
          : null;
    const determination =
      classification === null
        ? null
        : classification === 'truePositive'
          ? template.truePositiveDetermination
          : random.pick(BENIGN_DETERMINATIONS[classification]);

    const victim = directory.activeUser.pick(random);
    const scenarioBase = { victim, attackerIp: unfamiliarIp(random) };
    const victims = template.evidence.includes('sprayedUsers')
      ? [
          victim,
          ...random.sample(
            directory.users.filter((u) => u !== victim),
            random.int(2, 7),
          ),
        ]
      : template.evidence.includes('phishMessages') && !template.evidence.includes('user')
        ? [
            victim,
            ...random.sample(
              directory.users.filter((u) => u !== victim),
              random.int(0, 3),
            ),
          ]
        : [victim];
    const sender = random.pick(PHISH_SENDERS);
    const scenario: Scenario = {
      ...scenarioBase,
      victims,
      country: random.pick(COUNTRIES),
      device: {
        dnsName: `lt-${victim.accountName.replace(/[^a-z]/g, '').slice(0, 8)}-${String(random.int(1, 250)).padStart(3, '0')}.corp.${HOME_DOMAIN}`,
        mdeDeviceId: random.hex(40),
        azureAdDeviceId: random.guid(),
      },
      app: random.pick(directory.apps.filter((a) => a.risky)),
      group: random.pick(directory.groups.filter((g) => g.sensitive)),
      phish: {
        senderEmail: `${sender.local}@${sender.domain}`,
        senderName: sender.name,
        senderDomain: sender.domain,
        subject: random.pick(PHISH_SUBJECTS),
        url: `https://${sender.domain}/${random.hex(10)}/login?u=${random.hex(6)}`,
      },
      process: template.process?.(scenarioBase, random) ?? { fileName: '', filePath: '', commandLine: '' },
      count: random.int(40, 900),
    };

    const created = timeline.random(random);
    const firstActivity = created - random.skewed(MINUTE, 25 * MINUTE, 12 * HOUR);
    const lastActivity = firstActivity + Math.floor((created - firstActivity) * random.next());
    const updated =
      status === 'resolved'
        ? later(created, 20 * MINUTE, 20 * HOUR, 7 * 24 * HOUR)
        : status === 'inProgress'
          ? later(created, 5 * MINUTE, 3 * HOUR, 3 * 24 * HOUR)
          : random.chance(0.2)
            ? later(created, MINUTE, 10 * MINUTE, 2 * HOUR)
            : created;
    const resolvedAt = status === 'resolved' ? updated : null;
    const analyst = status === 'new' ? null : random.pick(directory.analysts);

    const verdict =
      classification === 'truePositive'
        ? 'malicious'
        : classification === null || classification === 'unknown'
          ? 'suspicious'
          : 'noThreatsFound';
    const evidence = buildEvidence(template, scenario, random, {
      created,
      verdict,
      remediated: status === 'resolved' && verdict === 'malicious',
    });

    const sourceId =
      template.serviceSource === 'microsoftDefenderForEndpoint'
        ? `da${random.digits(18)}_${random.chance(0.5) ? '-' : ''}${random.digits(10)}`
        : `${SOURCE_ID_PREFIX[template.serviceSource]}${random.guid()}`;
    incidentId += random.int(0, 3);
    const rawData = {
      id: sourceId,
      providerAlertId: template.serviceSource === 'microsoftDefenderForEndpoint' ? sourceId.slice(2) : random.guid(),
      incidentId: String(incidentId),
      status,
      severity,
      classification,
      determination,
      serviceSource: template.serviceSource,
      detectionSource: template.detectionSource,
      productName: PRODUCT_NAMES[template.serviceSource],
      detectorId: random.guid(),
      tenantId: directory.tenantGuid,
      title: template.title,
      description: template.description(scenario),
      recommendedActions: template.recommendedActions,
      category: template.category,
      assignedTo: analyst?.userPrincipalName ?? null,
      alertWebUrl: `https://security.microsoft.com/alerts/${sourceId}?tid=${directory.tenantGuid}`,
      incidentWebUrl: `https://security.microsoft.com/incidents/${incidentId}?tid=${directory.tenantGuid}`,
      actorDisplayName: null,
      threatDisplayName: template.threat?.displayName ?? null,
      threatFamilyName: template.threat?.familyName ?? null,
      mitreTechniques: template.mitreTechniques,
      createdDateTime: graphTime(created),
      lastUpdateDateTime: graphTime(updated),
      resolvedDateTime: resolvedAt === null ? null : graphTime(resolvedAt),
      firstActivityDateTime: graphTime(firstActivity),
      lastActivityDateTime: graphTime(lastActivity),
      comments:
        analyst && classification
          ? [
              {
                comment: random.pick(ANALYST_COMMENTS[classification]),
                createdByDisplayName: analyst.displayName,
                createdDateTime: graphTime(updated),
              },
            ]
          : [],
      evidence,
      systemTags: [],
      alertPolicyId: template.serviceSource === 'microsoftDefenderForOffice365' ? random.guid() : null,
      additionalData: {},
    };

    // The one path into the table: the Graph object goes through `ingest --format graph`'s normaliser.
    const normalised = normaliseGraphAlert(rawData, {
      tenantId,
      now: new Date(now),
      newId: () => ulid(created, random.prng),
    });
    if (!normalised.ok) throw new Error(`seeded Graph alert rejected by the normaliser: ${normalised.reason}`);
    yield normalised.row;
  }
}

function userAccount(user: DirectoryUser) {
  return {
    accountName: user.accountName,
    domainName: HOME_DOMAIN,
    userSid: user.sid,
    azureAdUserId: user.objectId,
    userPrincipalName: user.userPrincipalName,
    displayName: user.displayName,
  };
}

interface EvidenceContext {
  template: AlertTemplate;
  s: Scenario;
  random: SeededRandom;
  state: { created: number; verdict: string; remediated: boolean };
  common: (type: string, roles: string[], primary?: boolean) => Evidence;
  hashes: () => { sha1: string; sha256: string; md5: string };
  /** What the builders append to, in template order. */
  evidence: Evidence[];
}

/** Each evidence kind's Graph evidence entries. */
const EVIDENCE_BUILDERS: Record<EvidenceKind, (ctx: EvidenceContext) => void> = {
  user: ({ evidence, common, s }) => {
    evidence.push({ ...common('userEvidence', ['compromised']), userAccount: userAccount(s.victim) });
  },
  sprayedUsers: ({ evidence, common, s }) => {
    for (const [i, user] of s.victims.entries()) {
      evidence.push({ ...common('userEvidence', ['victim'], i === 0), userAccount: userAccount(user) });
    }
  },
  mailbox: ({ evidence, common, s }) => {
    evidence.push({
      ...common('mailboxEvidence', ['compromised']),
      primaryAddress: s.victim.userPrincipalName,
      displayName: s.victim.displayName,
      userAccount: userAccount(s.victim),
    });
  },
  phishMessages: ({ evidence, common, s, random, state, template }) => {
    for (const [i, recipient] of s.victims.entries()) {
      const received = state.created - random.int(MINUTE_MS, 30 * MINUTE_MS);
      evidence.push({
        ...common('analyzedMessageEvidence', ['contextual'], i === 0),
        networkMessageId: random.guid(),
        internetMessageId: `<${random.hex(16).toUpperCase()}@${s.phish.senderDomain}>`,
        subject: s.phish.subject,
        language: 'en',
        senderIp: s.attackerIp,
        recipientEmailAddress: recipient.userPrincipalName,
        antiSpamDirection: 'Inbound',
        deliveryAction: 'Delivered',
        deliveryLocation: 'Inbox',
        urn: `urn:MailEntity:${random.hex(32)}`,
        threats: [template.threat?.displayName ?? 'Phish'],
        threatDetectionMethods:
          template.threat?.familyName === 'Emotet' ? ['File detonation'] : ['URL detonation reputation'],
        urls: template.evidence.includes('url') ? [s.phish.url] : [],
        urlCount: template.evidence.includes('url') ? 1 : 0,
        attachmentsCount: template.threat?.familyName === 'Emotet' ? 1 : 0,
        receivedDateTime: graphTime(received),
        p1Sender: {
          emailAddress: s.phish.senderEmail,
          displayName: s.phish.senderName,
          domainName: s.phish.senderDomain,
        },
        p2Sender: {
          emailAddress: s.phish.senderEmail,
          displayName: s.phish.senderName,
          domainName: s.phish.senderDomain,
        },
      });
      if (!template.evidence.includes('mailbox')) {
        evidence.push({
          ...common('mailboxEvidence', ['victim'], i === 0),
          primaryAddress: recipient.userPrincipalName,
          displayName: recipient.displayName,
          userAccount: userAccount(recipient),
        });
      }
      if (!template.evidence.includes('user')) {
        evidence.push({ ...common('userEvidence', ['victim'], i === 0), userAccount: userAccount(recipient) });
      }
    }
  },
  outboundMessage: ({ evidence, common, s, random, state }) => {
    evidence.push({
      ...common('analyzedMessageEvidence', ['contextual']),
      networkMessageId: random.guid(),
      internetMessageId: `<${random.hex(16).toUpperCase()}@${HOME_DOMAIN}>`,
      subject: random.pick([
        'Payment details for order 7731',
        'Customer card list',
        'FW: Refund request',
        'Updated billing info',
      ]),
      language: 'en',
      senderIp: null,
      recipientEmailAddress: `${random.pick(['billing', 'j.smith', 'orders'])}@${random.pick(['gmail.com', 'outlook.com', 'adatum.com'])}`,
      antiSpamDirection: 'Outbound',
      deliveryAction: 'Delivered',
      deliveryLocation: 'External',
      urn: `urn:MailEntity:${random.hex(32)}`,
      threats: [],
      threatDetectionMethods: [],
      urls: [],
      urlCount: 0,
      attachmentsCount: random.int(0, 2),
      receivedDateTime: graphTime(state.created - random.int(MINUTE_MS, 10 * MINUTE_MS)),
      p1Sender: {
        emailAddress: s.victim.userPrincipalName,
        displayName: s.victim.displayName,
        domainName: HOME_DOMAIN,
      },
      p2Sender: {
        emailAddress: s.victim.userPrincipalName,
        displayName: s.victim.displayName,
        domainName: HOME_DOMAIN,
      },
    });
  },
  oauthApp: ({ evidence, common, s }) => {
    evidence.push({
      ...common('oauthApplicationEvidence', ['contextual']),
      appId: s.app.appId,
      displayName: s.app.displayName,
      objectId: s.app.objectId,
      publisher: s.app.publisher,
    });
  },
  ip: ({ evidence, common, s }) => {
    evidence.push({
      ...common('ipEvidence', ['attacker']),
      ipAddress: s.attackerIp,
      countryLetterCode: s.country.code,
    });
  },
  device: ({ evidence, common, s, random, state }) => {
    evidence.push({
      ...common('deviceEvidence', ['compromised']),
      firstSeenDateTime: graphTime(state.created - random.int(30, 900) * 86_400_000),
      mdeDeviceId: s.device.mdeDeviceId,
      azureAdDeviceId: s.device.azureAdDeviceId,
      deviceDnsName: s.device.dnsName,
      osPlatform: random.pick(['Windows11', 'Windows10']),
      osBuild: random.pick([22631, 26100, 19045]),
      version: random.pick(['23H2', '24H2', '22H2']),
      healthStatus: 'active',
      riskScore: random.pick(['medium', 'high']),
      rbacGroupName: 'Workstations',
      onboardingStatus: 'onboarded',
      defenderAvStatus: 'updated',
      loggedOnUsers: [{ accountName: s.victim.accountName, domainName: 'CONTOSO' }],
    });
  },
  process: ({ evidence, common, hashes, s, random, state }) => {
    evidence.push({
      ...common('processEvidence', ['contextual']),
      processId: random.int(1_000, 30_000),
      parentProcessId: random.int(500, 9_000),
      processCommandLine: s.process.commandLine,
      processCreationDateTime: graphTime(state.created - random.int(MINUTE_MS, 20 * MINUTE_MS)),
      detectionStatus: state.remediated ? 'prevented' : 'detected',
      mdeDeviceId: s.device.mdeDeviceId,
      imageFile: {
        fileName: s.process.fileName,
        filePath: s.process.filePath,
        fileSize: random.int(40_000, 900_000),
        ...hashes(),
      },
      userAccount: userAccount(s.victim),
    });
  },
  file: ({ evidence, common, hashes, s }) => {
    evidence.push({
      ...common('fileEvidence', ['contextual']),
      detectionStatus: 'detected',
      mdeDeviceId: s.device.mdeDeviceId,
      fileDetails: {
        fileName: 'README-RESTORE-FILES.txt',
        filePath: 'C:\\Users\\Public\\Documents',
        fileSize: 1_893,
        ...hashes(),
      },
    });
  },
  securityGroup: ({ evidence, common, s }) => {
    evidence.push({
      ...common('securityGroupEvidence', ['contextual']),
      securityGroupId: s.group.id,
      displayName: s.group.name,
    });
  },
  url: ({ evidence, common, s }) => {
    evidence.push({ ...common('urlEvidence', ['contextual']), url: s.phish.url });
  },
  cloudApp: ({ evidence, common }) => {
    evidence.push({
      ...common('cloudApplicationEvidence', ['contextual']),
      appId: 20892,
      displayName: 'Microsoft SharePoint Online',
      instanceId: 0,
      instanceName: 'Microsoft SharePoint Online',
      saasAppId: 20892,
    });
  },
};

function buildEvidence(
  template: AlertTemplate,
  s: Scenario,
  random: SeededRandom,
  state: EvidenceContext['state'],
): Evidence[] {
  const common = (type: string, roles: string[], primary = true): Evidence => ({
    '@odata.type': `#microsoft.graph.security.${type}`,
    createdDateTime: graphTime(state.created),
    verdict: primary ? state.verdict : 'suspicious',
    remediationStatus: state.remediated && primary ? 'remediated' : 'none',
    remediationStatusDetails: null,
    roles,
    detailedRoles: [],
    tags: [],
  });
  const evidence: Evidence[] = [];
  const hashes = () => ({ sha1: random.hex(40), sha256: random.hex(64), md5: random.hex(32) });
  for (const kind of template.evidence)
    EVIDENCE_BUILDERS[kind]({ template, s, random, state, common, hashes, evidence });
  return evidence;
}
