import { describe, expect, it } from 'vitest';
import { expectGoldenJson, fixedNormaliseContext, readFixtureRecords } from '../../test/support/golden-file';
import {
  ACTOR_IDENTITY_RULES,
  APPLICATION_NAME_FIELDS,
  CLIENT_IP_FIELDS,
  FALLBACKS,
  ITEM_TYPE_TO_RESOURCE_TYPE,
  OPERATIONS,
  OPERATION_RESOURCE_TYPE,
  OPERATION_SEVERITY,
  RECORD_TYPES,
  SEVERITY_ESCALATIONS,
  USER_TYPE_TO_ACTOR_TYPE,
  normaliseClientIp,
  normaliseO365Record,
} from './o365.normaliser';

/** A minimal valid record of a kind no table lists, so each test sees only what it sets. */
function record(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Id: '6f1c2b7e-3a44-4d0b-9a61-000000000001',
    RecordType: 999,
    CreationTime: '2026-06-05T08:02:11',
    Operation: 'SomethingNobodyRates',
    OrganizationId: 'b3c1b5fc-828c-45fa-a1e1-10d74f6d6e9c',
    UserType: 0,
    UserKey: '10032001A4B5C6D7',
    UserId: 'jane.doe@contoso.com',
    ...fields,
  };
}

function normalise(fields: Record<string, unknown> = {}) {
  const result = normaliseO365Record(record(fields), fixedNormaliseContext());
  if (!result.ok) throw new Error(`rejected: ${result.reason}`);
  return result.row;
}

function reason(input: unknown): string {
  const result = normaliseO365Record(input, fixedNormaliseContext());
  if (result.ok) throw new Error('expected a rejection');
  return result.reason;
}

/** A result without the raw record, which the golden files leave out (it is the input line). */
function withoutRawData(result: ReturnType<typeof normaliseO365Record>) {
  if (!result.ok) return result;
  const { raw_data: _rawData, ...row } = result.row;
  return { ok: true as const, row };
}

describe('O365 fixtures (golden)', () => {
  it('normalises o365-audit.ndjson exactly as the golden file says', () => {
    const ctx = fixedNormaliseContext();
    const results = readFixtureRecords('o365-audit.ndjson').map((r) => {
      if ('error' in r) return { line: r.line, error: r.error };
      const result = normaliseO365Record(r.value, ctx);
      if (!result.ok) return { line: r.line, ...result };
      // The raw record is kept whole (checked here); the golden file shows only what is mapped.
      const { raw_data: rawData, ...mapped } = result.row;
      expect(rawData, `line ${r.line}: rawData must be the record exactly as given`).toBe(JSON.stringify(r.value));
      return { line: r.line, ok: true, row: mapped };
    });
    expect(results.every((r) => 'ok' in r && r.ok)).toBe(true);
    expect(results.length).toBeGreaterThanOrEqual(20);
    expectGoldenJson('o365-audit', results);
  });

  it('rejects exactly lines 2, 4 and 6 of o365-with-bad-lines.ndjson, naming the fault', () => {
    const ctx = fixedNormaliseContext();
    const results = readFixtureRecords('o365-with-bad-lines.ndjson').map((r) =>
      'error' in r
        ? { line: r.line, ok: false, reason: r.error }
        : { line: r.line, ...withoutRawData(normaliseO365Record(r.value, ctx)) },
    );
    expect(results.filter((r) => !r.ok).map((r) => r.line)).toEqual([2, 4, 6]);
    expect(results.find((r) => r.line === 4)).toMatchObject({ reason: 'Operation: is required' });
    expect(results.find((r) => r.line === 6)).toMatchObject({ reason: 'CreationTime: must be an ISO timestamp' });
    expectGoldenJson('o365-with-bad-lines', results);
  });
});

describe('O365 record → log row', () => {
  it('takes the ids, times and names from the record and the context', () => {
    const row = normalise({ Operation: 'FileAccessed', UserId: 'jane.doe@contoso.com' });
    expect(row).toMatchObject({
      tenant_id: 'tenant-golden',
      id: '01J00000000000000000000001',
      source_id: '6f1c2b7e-3a44-4d0b-9a61-000000000001',
      discovered_at: new Date('2026-06-05T09:30:00.000Z'),
      action: 'FileAccessed',
      actor_name: 'jane.doe@contoso.com',
    });
  });

  it('reads CreationTime (no offset) as UTC, whatever the machine time zone', () => {
    expect(normalise({ CreationTime: '2026-06-05T08:02:11' }).occurred_at.toISOString()).toBe(
      '2026-06-05T08:02:11.000Z',
    );
    expect(normalise({ CreationTime: '2026-06-05T08:02:11Z' }).occurred_at.toISOString()).toBe(
      '2026-06-05T08:02:11.000Z',
    );
    expect(normalise({ CreationTime: '2026-06-05T10:02:11+02:00' }).occurred_at.toISOString()).toBe(
      '2026-06-05T08:02:11.000Z',
    );
  });

  it('truncates CreationTime fractions to milliseconds', () => {
    expect(normalise({ CreationTime: '2026-06-05T08:02:11.9999999' }).occurred_at.toISOString()).toBe(
      '2026-06-05T08:02:11.999Z',
    );
  });
});

describe('UserType → actorType (USER_TYPE_TO_ACTOR_TYPE)', () => {
  it.each(Object.entries(USER_TYPE_TO_ACTOR_TYPE))(
    'UserType %s maps as the table says, by number and by name',
    (value, entry) => {
      expect(normalise({ UserType: Number(value) }).actor_type).toBe(entry.actorType);
      expect(normalise({ UserType: entry.name }).actor_type).toBe(entry.actorType);
    },
  );

  it('covers every documented UserType, 0 to 8', () => {
    expect(Object.keys(USER_TYPE_TO_ACTOR_TYPE).map(Number)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('an absent or unrecognised UserType is unknown', () => {
    expect(normalise({ UserType: undefined }).actor_type).toBe('unknown');
    expect(normalise({ UserType: null }).actor_type).toBe('unknown');
    expect(normalise({ UserType: 42 }).actor_type).toBe('unknown');
  });
});

describe('identity rules (ACTOR_IDENTITY_RULES)', () => {
  it.each(ACTOR_IDENTITY_RULES.map((rule) => [rule.pattern, rule] as const))('%s', (_pattern, rule) => {
    expect(rule.match.test(rule.example)).toBe(true);
    for (const userType of [0, 1, undefined]) {
      expect(normalise({ UserType: userType, UserId: rule.example }).actor_type).toBe(rule.actorType);
    }
  });

  it('#EXT# makes a Regular user a guest, in any letter case', () => {
    expect(normalise({ UserType: 0, UserId: 'tom.baker_fabrikam.com#EXT#@contoso.onmicrosoft.com' }).actor_type).toBe(
      'guest',
    );
    expect(normalise({ UserType: 0, UserId: 'tom.baker_fabrikam.com#ext#@contoso.onmicrosoft.com' }).actor_type).toBe(
      'guest',
    );
    expect(normalise({ UserType: 0, UserId: 'tom.baker@fabrikam.com' }).actor_type).toBe('user');
  });

  it('never overrides a privileged or non-human UserType: a guest admin is an admin', () => {
    const guest = 'tom.baker_fabrikam.com#EXT#@contoso.onmicrosoft.com';
    expect(normalise({ UserType: 2, UserId: guest }).actor_type).toBe('admin');
    expect(normalise({ UserType: 3, UserId: 'NT AUTHORITY\\SYSTEM (Microsoft.Exchange.ServiceHost)' }).actor_type).toBe(
      'admin',
    );
    expect(normalise({ UserType: 6, UserId: 'app@sharepoint' }).actor_type).toBe('servicePrincipal');
  });
});

describe('Operation → severity and resourceType (OPERATIONS)', () => {
  it.each(OPERATIONS.map((entry) => [entry.operation, entry] as const))('%s', (_operation, entry) => {
    const row = normalise({ Operation: entry.operation });
    expect(row.severity).toBe(entry.severity);
    expect(row.resource_type).toBe(entry.resourceType ?? FALLBACKS.resourceType);
  });

  it('derives OPERATION_SEVERITY and OPERATION_RESOURCE_TYPE from the same rows, one row per operation', () => {
    expect(Object.keys(OPERATION_SEVERITY)).toHaveLength(OPERATIONS.length);
    expect(Object.keys(OPERATION_RESOURCE_TYPE)).toHaveLength(OPERATIONS.filter((o) => o.resourceType).length);
  });

  it('matches operation names case-insensitively, with or without the Azure AD trailing period', () => {
    expect(normalise({ Operation: 'add member to role' }).severity).toBe('high');
    expect(normalise({ Operation: 'Consent to application' }).resource_type).toBe('application');
    expect(normalise({ Operation: ' FILEDOWNLOADED ' }).severity).toBe('low');
    expect(normalise({ Operation: 'Update application – Certificates and secrets management ' }).severity).toBe('high');
  });

  it('keeps the action verbatim even though matching is lenient', () => {
    expect(normalise({ Operation: 'Add member to role.' }).action).toBe('Add member to role.');
  });
});

describe('RecordType defaults (RECORD_TYPES)', () => {
  it.each(Object.entries(RECORD_TYPES))('RecordType %s', (value, entry) => {
    const row = normalise({ RecordType: Number(value), Workload: undefined });
    expect(row.severity).toBe(entry.severity);
    expect(row.resource_type).toBe(entry.resourceType);
    expect(row.workload).toBe(entry.workload);
    expect(normalise({ RecordType: entry.name, Workload: undefined }).resource_type).toBe(entry.resourceType);
  });

  it('a Workload on the record wins over the RecordType fallback', () => {
    expect(normalise({ RecordType: 6, Workload: 'OneDrive' }).workload).toBe('OneDrive');
  });

  it('falls back to FALLBACKS when neither the operation nor the RecordType is known', () => {
    const row = normalise({ RecordType: 999, Workload: undefined });
    expect(row).toMatchObject({
      severity: FALLBACKS.severity,
      resource_type: FALLBACKS.resourceType,
      workload: FALLBACKS.workload,
    });
  });

  it('an operation row wins over the RecordType default', () => {
    expect(normalise({ RecordType: 1, Operation: 'New-TransportRule' })).toMatchObject({
      severity: 'high',
      resource_type: 'policy',
    });
  });
});

describe('ItemType → resourceType (ITEM_TYPE_TO_RESOURCE_TYPE)', () => {
  it.each(ITEM_TYPE_TO_RESOURCE_TYPE.map((entry) => [entry.name, entry] as const))('%s', (name, entry) => {
    // SharingSet says "file"; the ItemType knows better.
    expect(normalise({ RecordType: 14, Operation: 'SharingSet', ItemType: name }).resource_type).toBe(
      entry.resourceType,
    );
    if (entry.value !== null) {
      expect(normalise({ RecordType: 14, Operation: 'SharingSet', ItemType: entry.value }).resource_type).toBe(
        entry.resourceType,
      );
    }
  });

  it('ignores an ItemType it does not know', () => {
    expect(normalise({ Operation: 'SharingSet', ItemType: 'Invalid' }).resource_type).toBe('file');
  });
});

describe('severity escalations (SEVERITY_ESCALATIONS)', () => {
  /** One record that triggers each rule and one that does not. */
  const cases: Record<
    string,
    { operation: string; matching: Record<string, unknown>; notMatching: Record<string, unknown> }
  > = {
    'inbox-rule-forwards-mail': {
      operation: 'New-InboxRule',
      matching: {
        Parameters: [
          { Name: 'Name', Value: 'x' },
          { Name: 'ForwardTo', Value: 'someone@outlook.com' },
        ],
      },
      notMatching: {
        Parameters: [
          { Name: 'Name', Value: 'Newsletters' },
          { Name: 'MoveToFolder', Value: 'News' },
        ],
      },
    },
    'mailbox-forwarding': {
      operation: 'Set-Mailbox',
      matching: { Parameters: [{ Name: 'ForwardingSmtpAddress', Value: 'smtp:sam@gmail.com' }] },
      notMatching: { Parameters: [{ Name: 'ForwardingSmtpAddress', Value: '$null' }] },
    },
    'full-access-granted': {
      operation: 'Add-MailboxPermission',
      matching: { Parameters: [{ Name: 'AccessRights', Value: 'FullAccess' }] },
      notMatching: { Parameters: [{ Name: 'AccessRights', Value: 'ReadPermission' }] },
    },
    'privileged-role-granted': {
      operation: 'Add member to role.',
      matching: {
        ModifiedProperties: [{ Name: 'Role.DisplayName', NewValue: '["Global Administrator"]', OldValue: '' }],
      },
      notMatching: { ModifiedProperties: [{ Name: 'Role.DisplayName', NewValue: 'Reports Reader', OldValue: '' }] },
    },
    'tenant-wide-admin-consent': {
      operation: 'Consent to application.',
      matching: { ModifiedProperties: [{ Name: 'ConsentContext.IsAdminConsent', NewValue: 'True', OldValue: '' }] },
      notMatching: { ModifiedProperties: [{ Name: 'ConsentContext.IsAdminConsent', NewValue: 'False', OldValue: '' }] },
    },
    'shared-with-guest': {
      operation: 'SharingSet',
      matching: { TargetUserOrGroupType: 'Guest' },
      notMatching: { TargetUserOrGroupType: 'Member' },
    },
    'guest-added-to-team': {
      operation: 'MemberAdded',
      matching: {
        Members: [
          { UPN: 'a@contoso.com', Role: 0 },
          { UPN: 'b_fabrikam.com#EXT#@contoso.onmicrosoft.com', Role: 2 },
        ],
      },
      notMatching: { Members: [{ UPN: 'a@contoso.com', Role: 1 }] },
    },
  };

  it('has a test case for every rule', () => {
    expect(Object.keys(cases).sort()).toEqual(SEVERITY_ESCALATIONS.map((e) => e.id).sort());
  });

  it.each(SEVERITY_ESCALATIONS.map((e) => [e.id, e] as const))('%s', (id, escalation) => {
    const test = cases[id]!;
    expect(escalation.operations).toContain(test.operation);
    expect(normalise({ Operation: test.operation, ...test.matching }).severity).toBe(escalation.severity);
    expect(normalise({ Operation: test.operation, ...test.notMatching }).severity).toBe(
      OPERATION_SEVERITY[test.operation],
    );
  });
});

describe('client IP (CLIENT_IP_FIELDS, normaliseClientIp)', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['203.0.113.7:51234', '203.0.113.7'],
    ['[2001:db8::1]:443', '2001:db8::1'],
    ['[2001:db8::1]', '2001:db8::1'],
    ['2001:db8::1', '2001:db8::1'],
    ['::ffff:203.0.113.7', '::ffff:203.0.113.7'],
    ['', null],
    ['<null>', null],
    ['999.1.1.1', null],
    [null, null],
  ])('%j → %j', (raw, expected) => {
    expect(normaliseClientIp(raw)).toBe(expected);
  });

  it('takes the first of the fields that has a value', () => {
    expect(CLIENT_IP_FIELDS[0]).toBe('ClientIP');
    expect(normalise({ ClientIP: null, ClientIPAddress: '198.51.100.9:4431' }).actor_ip).toBe('198.51.100.9');
    expect(normalise({ ClientIP: '', ActorIpAddress: '198.51.100.10' }).actor_ip).toBe('198.51.100.10');
    expect(normalise({ ClientIP: '198.51.100.1', ClientIPAddress: '198.51.100.2' }).actor_ip).toBe('198.51.100.1');
    expect(normalise({}).actor_ip).toBeNull();
  });
});

describe('resource and application names', () => {
  it('SharePoint/OneDrive: the file name, else the object path', () => {
    expect(
      normalise({ Workload: 'SharePoint', SourceFileName: 'a.xlsx', ObjectId: 'https://x/a.xlsx' }).resource_name,
    ).toBe('a.xlsx');
    expect(normalise({ Workload: 'OneDrive', ObjectId: 'https://x/personal/y' }).resource_name).toBe(
      'https://x/personal/y',
    );
  });

  it('Exchange: the message subject, else the friendly object name, else the object id, else the mailbox', () => {
    expect(
      normalise({ Workload: 'Exchange', Item: { Subject: 'Hello' }, MailboxOwnerUPN: 'a@contoso.com' }).resource_name,
    ).toBe('Hello');
    expect(
      normalise({ Workload: 'Exchange', AffectedItems: [{ Subject: 'First' }, { Subject: 'Second' }] }).resource_name,
    ).toBe('First');
    expect(
      normalise({ Workload: 'Exchange', ModifiedObjectResolvedName: 'Sam Lee', ObjectId: 'EURPR/…/sam.lee' })
        .resource_name,
    ).toBe('Sam Lee');
    expect(normalise({ Workload: 'Exchange', MailboxOwnerUPN: 'a@contoso.com' }).resource_name).toBe('a@contoso.com');
  });

  it('Teams: the team name', () => {
    expect(normalise({ Workload: 'MicrosoftTeams', TeamName: 'Deal Room', ObjectId: 'x' }).resource_name).toBe(
      'Deal Room',
    );
  });

  it('anything else: ObjectId, or null', () => {
    expect(normalise({ Workload: 'PowerBI', ObjectId: 'Sales dashboard' }).resource_name).toBe('Sales dashboard');
    expect(normalise({ Workload: 'PowerBI' }).resource_name).toBeNull();
  });

  it.each(APPLICATION_NAME_FIELDS.map((field) => [field] as const))('applicationDisplayName from %s', (field) => {
    const [head, ...rest] = field.split('.');
    const value =
      rest.length === 0
        ? 'Contoso App'
        : rest[0] === '0'
          ? [{ [rest[1]!]: 'Contoso App' }]
          : { [rest[0]!]: 'Contoso App' };
    expect(normalise({ [head!]: value }).application_display_name).toBe('Contoso App');
  });

  it('applicationDisplayName is null when no field names one', () => {
    expect(
      normalise({ AppAccessContext: { ClientAppId: 'd3590ed6-52b3-4102-aeff-aad2292ab01c' } }).application_display_name,
    ).toBeNull();
  });
});

describe('rejections name the field', () => {
  it.each([
    [{ Operation: undefined }, 'Operation: is required'],
    [{ Operation: '  ' }, 'Operation: must not be empty'],
    [{ CreationTime: 'yesterday' }, 'CreationTime: must be an ISO timestamp'],
    [{ CreationTime: '2026-02-30T10:00:00' }, 'CreationTime: must be an ISO timestamp'],
    [{ CreationTime: 1780000000 }, 'CreationTime: must be an ISO timestamp'],
    [{ Id: undefined }, 'Id: is required'],
    [{ RecordType: undefined }, 'RecordType: is required'],
    [{ RecordType: 6.5 }, 'RecordType: must be an AuditLogRecordType integer'],
    [{ UserId: '' }, 'UserId: must not be empty'],
    [{ UserType: 2.5 }, 'UserType: must be a UserType integer (0-8) or its name'],
    [{ Workload: 7 }, 'Workload: must be a string'],
  ])('%j → %s', (fields, expected) => {
    expect(reason(record(fields))).toBe(expected);
  });

  it('a record that is not an object', () => {
    expect(reason([])).toBe('record: must be a JSON object');
    expect(reason('FileAccessed')).toBe('record: must be a JSON object');
    expect(reason(null)).toBe('record: must be a JSON object');
  });

  it('lists several problems at once', () => {
    expect(reason({})).toBe(
      'Id: is required; RecordType: is required; CreationTime: is required; Operation: is required; UserId: is required',
    );
  });
});
