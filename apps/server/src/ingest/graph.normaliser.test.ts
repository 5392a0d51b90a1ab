import { SECURITY_ALERT_CLASSIFICATIONS, SECURITY_ALERT_STATUSES, SEVERITIES } from '@1security/contract';
import { describe, expect, it } from 'vitest';
import { expectGoldenJson, fixedNormaliseContext, readFixtureRecords } from '../../test/support/golden-file';
import type { NewSecurityAlertRow } from '../security-alerts/security-alerts.table';
import {
  DEDUPLICATION_KEYS,
  EVIDENCE_EXTRACTORS,
  GRAPH_CLASSIFICATION_MAP,
  GRAPH_DEFAULTS,
  GRAPH_SEVERITY_MAP,
  GRAPH_STATUS_MAP,
  normaliseGraphAlert,
} from './graph.normaliser';

function alert(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.security.alert',
    id: 'da638532608977211305_-1194876541',
    providerAlertId: 'da638532608977211305_-1194876541',
    status: 'new',
    severity: 'medium',
    serviceSource: 'microsoftDefenderForEndpoint',
    title: 'Suspicious execution of hidden file',
    description: 'A hidden file has been launched.',
    recommendedActions: 'Review the device timeline.',
    category: 'DefenseEvasion',
    createdDateTime: '2026-06-05T09:21:37.7211305Z',
    lastUpdateDateTime: '2026-06-05T09:25:01.3266667Z',
    firstActivityDateTime: '2026-06-05T09:19:58.116Z',
    evidence: [],
    ...fields,
  };
}

function normalise(fields: Record<string, unknown> = {}) {
  const result = normaliseGraphAlert(alert(fields), fixedNormaliseContext());
  if (!result.ok) throw new Error(`rejected: ${result.reason}`);
  return result.row;
}

function reason(input: unknown): string {
  const result = normaliseGraphAlert(input, fixedNormaliseContext());
  if (result.ok) throw new Error('expected a rejection');
  return result.reason;
}

/** The row as a reader checks it: JSON columns parsed, Dates as ISO strings (via JSON). */
function goldenView(row: NewSecurityAlertRow) {
  return {
    ...row,
    users: JSON.parse(row.users),
    groups: JSON.parse(row.groups),
    emails: JSON.parse(row.emails),
    apps: JSON.parse(row.apps),
    mitre_techniques: JSON.parse(row.mitre_techniques ?? '[]'),
    raw_data: JSON.parse(row.raw_data),
  };
}

function normaliseFixture(name: string) {
  const ctx = fixedNormaliseContext();
  return readFixtureRecords(name).map((r) => {
    if ('error' in r) return { line: r.line, ok: false, reason: r.error };
    const result = normaliseGraphAlert(r.value, ctx);
    if (!result.ok) return { line: r.line, ...result };
    expect(result.row.raw_data, `line ${r.line}: rawData must be the object exactly as given`).toBe(
      JSON.stringify(r.value),
    );
    return { line: r.line, ok: true, row: goldenView(result.row) };
  });
}

describe('Graph fixtures (golden)', () => {
  it('normalises graph-alerts.json exactly as the golden file says', () => {
    const results = normaliseFixture('graph-alerts.json');
    expect(results.every((r) => r.ok)).toBe(true);
    expectGoldenJson('graph-alerts', results);
  });

  it('normalises graph-alerts-updated.ndjson: the same alerts, later, with a new status and classification', () => {
    const before = new Map(normaliseFixture('graph-alerts.json').map((r) => [r.row?.source_id, r.row]));
    const after = normaliseFixture('graph-alerts-updated.ndjson');
    expect(after).toHaveLength(2);
    for (const { row } of after) {
      const earlier = before.get(row?.source_id);
      expect(earlier, `${row?.source_id} is in graph-alerts.json`).toBeDefined();
      expect(row!.updated_at.getTime()).toBeGreaterThan(earlier!.updated_at.getTime());
      expect([row!.status, row!.classification]).not.toEqual([earlier!.status, earlier!.classification]);
    }
    expectGoldenJson('graph-alerts-updated', after);
  });
});

describe('Graph alert → security alert row', () => {
  it('takes the ids and texts from the alert and the context', () => {
    expect(normalise()).toMatchObject({
      tenant_id: 'tenant-golden',
      id: '01J00000000000000000000001',
      source_id: 'da638532608977211305_-1194876541',
      title: 'Suspicious execution of hidden file',
      description: 'A hidden file has been launched.',
      category: 'DefenseEvasion',
      service_source: 'microsoftDefenderForEndpoint',
      recommended_actions: 'Review the device timeline.',
    });
  });

  it('keeps rawData byte-for-byte as given, unknown fields and key order included', () => {
    const input = alert({ zFirst: 1, systemTags: ['Finance laptops'], additionalData: { 'x.y': [null, 1.5] } });
    const result = normaliseGraphAlert(input, fixedNormaliseContext());
    expect(result.ok && result.row.raw_data).toBe(JSON.stringify(input));
  });

  it('truncates 7-digit fractions to milliseconds, never rounding into the next second', () => {
    const row = normalise({
      createdDateTime: '2026-06-05T09:21:37.9999999Z',
      lastUpdateDateTime: '2026-06-05T09:25:01.3266667Z',
      firstActivityDateTime: '2026-06-05T09:19:58.1163321Z',
    });
    expect(row.created_at.toISOString()).toBe('2026-06-05T09:21:37.999Z');
    expect(row.updated_at.toISOString()).toBe('2026-06-05T09:25:01.326Z');
    expect(row.first_activity_at?.toISOString()).toBe('2026-06-05T09:19:58.116Z');
  });

  it('accepts timestamps with fewer digits, or none', () => {
    expect(normalise({ lastUpdateDateTime: '2026-06-05T09:25:01Z' }).updated_at.toISOString()).toBe(
      '2026-06-05T09:25:01.000Z',
    );
    expect(normalise({ lastUpdateDateTime: '2026-06-05T09:25:01.5Z' }).updated_at.toISOString()).toBe(
      '2026-06-05T09:25:01.500Z',
    );
  });

  it('falls back to createdDateTime when lastUpdateDateTime is missing', () => {
    expect(normalise({ lastUpdateDateTime: null }).updated_at.toISOString()).toBe('2026-06-05T09:21:37.721Z');
  });

  it('firstActivityDateTime and threatDisplayName may be absent', () => {
    const row = normalise({ firstActivityDateTime: undefined, threatDisplayName: null });
    expect(row.first_activity_at).toBeNull();
    expect(row.threat_display_name).toBeNull();
    expect(normalise({ threatDisplayName: 'Trojan:Win32/Wacatac.B!ml' }).threat_display_name).toBe(
      'Trojan:Win32/Wacatac.B!ml',
    );
  });

  it.each(Object.entries(GRAPH_DEFAULTS))('%s defaults to %j when Graph leaves it null', (field, fallback) => {
    const row = normalise({ [field]: null });
    const column = {
      description: 'description',
      recommendedActions: 'recommended_actions',
      category: 'category',
      serviceSource: 'service_source',
    }[field];
    expect(row[column as keyof NewSecurityAlertRow]).toBe(fallback);
  });

  it('takes mitreTechniques as given, in order; absent or null is an empty list', () => {
    expect(JSON.parse(normalise({ mitreTechniques: ['T1566.002', 'T1204.001'] }).mitre_techniques!)).toEqual([
      'T1566.002',
      'T1204.001',
    ]);
    expect(JSON.parse(normalise({ mitreTechniques: [] }).mitre_techniques!)).toEqual([]);
    expect(JSON.parse(normalise({ mitreTechniques: null }).mitre_techniques!)).toEqual([]);
    expect(JSON.parse(normalise().mitre_techniques!)).toEqual([]);
  });

  it('keeps a serviceSource outside our filter list verbatim', () => {
    expect(normalise({ serviceSource: 'microsoftSentinel' }).service_source).toBe('microsoftSentinel');
    expect(normalise({ serviceSource: 'unknownFutureValue' }).service_source).toBe('unknownFutureValue');
  });
});

describe('severity, status, classification maps', () => {
  it.each(Object.entries(GRAPH_SEVERITY_MAP))('severity %s → %s', (graph, ours) => {
    expect(normalise({ severity: graph }).severity).toBe(ours);
  });

  it('never produces critical: Graph has no such severity', () => {
    expect(Object.values(GRAPH_SEVERITY_MAP)).not.toContain('critical');
    expect(Object.values(GRAPH_SEVERITY_MAP).every((s) => SEVERITIES.includes(s))).toBe(true);
  });

  it.each(Object.entries(GRAPH_STATUS_MAP))('status %s → %s', (graph, ours) => {
    expect(normalise({ status: graph }).status).toBe(ours);
    expect(SECURITY_ALERT_STATUSES).toContain(ours);
  });

  it.each(Object.entries(GRAPH_CLASSIFICATION_MAP))('classification %s → %s', (graph, ours) => {
    expect(normalise({ classification: graph }).classification).toBe(ours);
    expect(SECURITY_ALERT_CLASSIFICATIONS).toContain(ours);
  });

  it('an absent or null classification stays null (not yet classified is not "unknown")', () => {
    expect(normalise({ classification: undefined }).classification).toBeNull();
    expect(normalise({ classification: null }).classification).toBeNull();
  });
});

describe('evidence → users, groups, emails, apps (EVIDENCE_EXTRACTORS)', () => {
  const samples: Record<string, { evidence: Record<string, unknown>; expected: Record<string, unknown> }> = {
    userEvidence: {
      evidence: {
        userAccount: {
          accountName: 'jane.doe',
          domainName: 'CONTOSO',
          userSid: 'S-1-5-21-1',
          azureAdUserId: '3f2e1d0c-9b8a-4c7d-a6e5-f4d3c2b1a098',
          userPrincipalName: 'jane.doe@contoso.com',
          displayName: 'Jane Doe',
        },
      },
      expected: { userPrincipalName: 'jane.doe@contoso.com', displayName: 'Jane Doe' },
    },
    mailboxEvidence: {
      evidence: {
        displayName: 'Marco Rossi',
        primaryAddress: 'marco.rossi@contoso.com',
        upn: 'marco.rossi@contoso.com',
      },
      expected: { userPrincipalName: 'marco.rossi@contoso.com', displayName: 'Marco Rossi' },
    },
    securityGroupEvidence: {
      evidence: { securityGroupId: 'S-1-5-21-1-512', displayName: 'Domain Admins', sid: 'S-1-5-21-1-512' },
      expected: { id: 'S-1-5-21-1-512', displayName: 'Domain Admins' },
    },
    analyzedMessageEvidence: {
      evidence: {
        networkMessageId: '8c1d2e3f-4a5b-4c6d-0e7f-08de5a0b1c2d',
        subject: 'Action required',
        recipientEmailAddress: 'jane.doe@contoso.com',
        p1Sender: { emailAddress: 'bounce@mailer.example.net', displayName: null, domainName: 'mailer.example.net' },
        p2Sender: {
          emailAddress: 'no-reply@example.net',
          displayName: 'Microsoft 365 Security',
          domainName: 'example.net',
        },
      },
      expected: {
        subject: 'Action required',
        sender: 'no-reply@example.net',
        recipient: 'jane.doe@contoso.com',
        networkMessageId: '8c1d2e3f-4a5b-4c6d-0e7f-08de5a0b1c2d',
      },
    },
    oauthApplicationEvidence: {
      evidence: {
        appId: '9a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d',
        displayName: 'MailSync Pro',
        objectId: 'x',
        publisher: 'MailSync Labs',
      },
      expected: { appId: '9a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d', displayName: 'MailSync Pro' },
    },
    cloudApplicationEvidence: {
      evidence: { appId: 20893, displayName: 'Microsoft Exchange Online', instanceId: 0, saasAppId: 20893 },
      expected: { appId: '20893', displayName: 'Microsoft Exchange Online' },
    },
  };

  it('has a sample for every extractor', () => {
    expect(Object.keys(samples).sort()).toEqual(EVIDENCE_EXTRACTORS.map((e) => e.odataType).sort());
  });

  it.each(EVIDENCE_EXTRACTORS.map((e) => [e.odataType, e] as const))('%s', (odataType, extractor) => {
    const sample = samples[odataType]!;
    const row = normalise({
      evidence: [
        {
          '@odata.type': `#microsoft.graph.security.${odataType}`,
          roles: [],
          verdict: 'suspicious',
          ...sample.evidence,
        },
      ],
    });
    const found = {
      users: JSON.parse(row.users),
      groups: JSON.parse(row.groups),
      emails: JSON.parse(row.emails),
      apps: JSON.parse(row.apps),
    };
    expect(found[extractor.target]).toEqual([sample.expected]);
    for (const other of ['users', 'groups', 'emails', 'apps'] as const) {
      if (other !== extractor.target) expect(found[other]).toEqual([]);
    }
  });

  it('a mailbox falls back to its userAccount, and the envelope sender is used when there is no From', () => {
    const row = normalise({
      evidence: [
        {
          '@odata.type': '#microsoft.graph.security.mailboxEvidence',
          userAccount: { userPrincipalName: 'sam.lee@contoso.com', displayName: 'Sam Lee' },
        },
        {
          '@odata.type': '#microsoft.graph.security.analyzedMessageEvidence',
          p1Sender: { emailAddress: 'bounce@x.example' },
          subject: 's',
        },
      ],
    });
    expect(JSON.parse(row.users)).toEqual([{ userPrincipalName: 'sam.lee@contoso.com', displayName: 'Sam Lee' }]);
    expect(JSON.parse(row.emails)).toEqual([
      { subject: 's', sender: 'bounce@x.example', recipient: null, networkMessageId: null },
    ]);
  });

  it('deduplicates case-insensitively and keeps the first, completing its displayName', () => {
    const user = (upn: string, displayName: string | null) => ({
      '@odata.type': '#microsoft.graph.security.userEvidence',
      userAccount: { userPrincipalName: upn, displayName },
    });
    const row = normalise({
      evidence: [
        user('Sam.Lee@contoso.com', null),
        {
          '@odata.type': '#microsoft.graph.security.mailboxEvidence',
          upn: 'sam.lee@contoso.com',
          displayName: 'Sam Lee',
        },
        user('jane.doe@contoso.com', 'Jane Doe'),
        { '@odata.type': '#microsoft.graph.security.oauthApplicationEvidence', appId: 'ABC', displayName: 'App' },
        {
          '@odata.type': '#microsoft.graph.security.oauthApplicationEvidence',
          appId: 'abc',
          displayName: 'App (again)',
        },
        {
          '@odata.type': '#microsoft.graph.security.securityGroupEvidence',
          securityGroupId: 'g1',
          displayName: 'Admins',
        },
        {
          '@odata.type': '#microsoft.graph.security.securityGroupEvidence',
          securityGroupId: 'G1',
          displayName: 'Admins',
        },
      ],
    });
    expect(JSON.parse(row.users)).toEqual([
      { userPrincipalName: 'Sam.Lee@contoso.com', displayName: 'Sam Lee' },
      { userPrincipalName: 'jane.doe@contoso.com', displayName: 'Jane Doe' },
    ]);
    expect(JSON.parse(row.apps)).toEqual([{ appId: 'ABC', displayName: 'App' }]);
    expect(JSON.parse(row.groups)).toEqual([{ id: 'g1', displayName: 'Admins' }]);
    expect(Object.keys(DEDUPLICATION_KEYS).sort()).toEqual(['apps', 'emails', 'groups', 'users']);
  });

  it('one message to two recipients is two emails; the same delivery twice is one', () => {
    const message = (recipient: string) => ({
      '@odata.type': '#microsoft.graph.security.analyzedMessageEvidence',
      networkMessageId: 'n-1',
      subject: 'Invoice',
      recipientEmailAddress: recipient,
      p2Sender: { emailAddress: 'billing@example.net' },
    });
    const row = normalise({ evidence: [message('a@contoso.com'), message('b@contoso.com'), message('A@contoso.com')] });
    expect(JSON.parse(row.emails).map((e: { recipient: string }) => e.recipient)).toEqual([
      'a@contoso.com',
      'b@contoso.com',
    ]);
  });

  it('ignores other evidence types, including the SYSTEM account of a process', () => {
    const row = normalise({
      evidence: [
        {
          '@odata.type': '#microsoft.graph.security.processEvidence',
          userAccount: { accountName: 'SYSTEM', displayName: 'System' },
        },
        {
          '@odata.type': '#microsoft.graph.security.deviceEvidence',
          deviceDnsName: 'lt-01',
          loggedOnUsers: [{ accountName: 'jane' }],
        },
        { '@odata.type': '#microsoft.graph.security.ipEvidence', ipAddress: '203.0.113.7' },
        {
          '@odata.type': '#microsoft.graph.security.userEvidence',
          userAccount: { userPrincipalName: null, displayName: null },
        },
        { verdict: 'unknown' },
        'not an object',
      ],
    });
    expect([row.users, row.groups, row.emails, row.apps]).toEqual(['[]', '[]', '[]', '[]']);
  });

  it('matches the @odata.type with or without the # and namespace', () => {
    const row = normalise({
      evidence: [
        { '@odata.type': 'microsoft.graph.security.USEREVIDENCE', userAccount: { userPrincipalName: 'a@contoso.com' } },
      ],
    });
    expect(JSON.parse(row.users)).toEqual([{ userPrincipalName: 'a@contoso.com', displayName: null }]);
  });
});

describe('rejections name the field', () => {
  it.each([
    [{ id: undefined }, 'id: is required'],
    [{ id: '' }, 'id: must not be empty'],
    [{ title: undefined }, 'title: is required'],
    [
      { severity: 'critical' },
      'severity: must be one of unknown, informational, low, medium, high, unknownFutureValue (Graph alertSeverity), got "critical"',
    ],
    [{ severity: undefined }, 'severity: is required'],
    [
      { status: 'closed' },
      'status: must be one of new, inProgress, resolved, unknown, unknownFutureValue (Graph alertStatus), got "closed"',
    ],
    [
      { classification: 'benign' },
      'classification: must be one of unknown, falsePositive, truePositive, informationalExpectedActivity, unknownFutureValue (Graph alertClassification), got "benign"',
    ],
    [{ createdDateTime: '05/06/2026 09:21' }, 'createdDateTime: must be an ISO timestamp'],
    [{ createdDateTime: undefined }, 'createdDateTime: is required'],
    [{ lastUpdateDateTime: '2026-06-31T00:00:00Z' }, 'lastUpdateDateTime: must be an ISO timestamp'],
    [{ evidence: {} }, 'evidence: must be an array'],
    [{ mitreTechniques: 'T1566' }, 'mitreTechniques: must be an array of strings'],
    [{ mitreTechniques: ['T1566', 7] }, 'mitreTechniques.1: must be an array of strings'],
    [{ description: 42 }, 'description: must be a string'],
  ])('%j → %s', (fields, expected) => {
    expect(reason(alert(fields))).toBe(expected);
  });

  it('an alert that is not an object', () => {
    expect(reason([alert()])).toBe('record: must be a JSON object');
    expect(reason(null)).toBe('record: must be a JSON object');
  });
});
