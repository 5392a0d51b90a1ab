import { SERVICE_SOURCES } from '@1security/contract';
import {
  DEDUPLICATION_KEYS,
  EVIDENCE_EXTRACTORS,
  GRAPH_CLASSIFICATION_MAP,
  GRAPH_DEFAULTS,
  GRAPH_SEVERITY_MAP,
  GRAPH_STATUS_MAP,
} from './graph.normaliser';
import {
  ACTOR_IDENTITY_RULES,
  APPLICATION_NAME_FIELDS,
  CLIENT_IP_FIELDS,
  FALLBACKS,
  ITEM_TYPE_TO_RESOURCE_TYPE,
  OPERATIONS,
  RECORD_TYPES,
  REFINABLE_USER_TYPES,
  RESOURCE_NAME_FIELDS,
  SEVERITY_ESCALATIONS,
  USER_TYPE_TO_ACTOR_TYPE,
} from './o365.normaliser';

/**
 * Renders `apps/server/docs/ingestion-mapping.md` from the normalisers' own tables, so the
 * document is the code. `ingestion-mapping.document.test.ts` fails when the checked-in file
 * differs; `UPDATE_GOLDEN=1` rewrites it.
 */

function code(value: string | number): string {
  return value === '' ? '`""` (empty)' : `\`${String(value)}\``;
}

function cell(value: string): string {
  return value.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  return [
    `| ${headers.join(' | ')} |`,
    `|${headers.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ].join('\n');
}

function fields(list: readonly string[]): string {
  return list.map(code).join(' → ');
}

function o365Section(): string {
  const groups = [...new Set(OPERATIONS.map((o) => o.group))];
  const escalated = new Map<string, string[]>();
  for (const e of SEVERITY_ESCALATIONS)
    for (const op of e.operations) escalated.set(op, [...(escalated.get(op) ?? []), e.id]);

  return `## Office 365 Management Activity API → log events (\`--format o365\`)

Input: one audit record per line (the common schema plus workload fields), as the
Management Activity API's content blobs serve them. Source: \`src/ingest/o365.normaliser.ts\`.

### Fields

${table(
  ['Log event field', 'From the O365 record'],
  [
    ['`id`', 'a new ULID (re-ingesting the same `Id` stores nothing new)'],
    ['(source id)', '`Id`: ingestion is idempotent on it'],
    ['`occurredAt`', '`CreationTime`. It carries no offset and is UTC; fractions are truncated to milliseconds'],
    ['`discoveredAt`', 'the ingestion time'],
    ['`action`', '`Operation`, verbatim'],
    [
      '`severity`',
      '[Operation → severity](#operations), else the [RecordType default](#recordtype), then [escalations](#escalations)',
    ],
    ['`actorName`', '`UserId`, verbatim'],
    ['`actorType`', '[UserType](#usertype--actortype), refined by [identity rules](#identity-rules)'],
    [
      '`actorIp`',
      `the first of ${fields(CLIENT_IP_FIELDS)} with a value; a port and IPv6 brackets are stripped (\`203.0.113.7:51234\` → \`203.0.113.7\`, \`[2001:db8::1]:443\` → \`2001:db8::1\`); anything that is then not an IP address is null`,
    ],
    ['`resourceName`', '[per workload](#resourcename)'],
    [
      '`resourceType`',
      '[ItemType](#itemtype) (SharePoint/OneDrive), else [Operation](#operations), else [RecordType](#recordtype), else `' +
        FALLBACKS.resourceType +
        '`',
    ],
    ['`workload`', "`Workload`, else the [RecordType](#recordtype)'s workload, else `" + FALLBACKS.workload + '`'],
    ['`applicationDisplayName`', `the first of ${fields(APPLICATION_NAME_FIELDS)} with a value, else null`],
    [
      '`rawData` (detail; lists with `include=rawData`)',
      'the record as given: every field (`UserAgent`, `ResultStatus`, `ExtendedProperties`, `ModifiedProperties`…) and value, unknown ones included, in its key order',
    ],
  ],
)}

A record is **rejected** (with the field named, e.g. \`CreationTime: must be an ISO timestamp\`)
when it is not a JSON object, or when \`Id\`, \`RecordType\`, \`CreationTime\`, \`Operation\` or
\`UserId\` is missing or malformed, or when \`UserType\` or \`Workload\` is present but malformed.
\`CreationTime\` must be a real date and time (\`2026-02-30T10:00:00\` is rejected, not rolled
over). Every other field is optional, and nested workload fields are read leniently (a
\`Parameters\` list of the wrong shape is ignored, not rejected).

\`rawData\` is stored as PostgreSQL \`json\` (not \`jsonb\`), so the record's key order survives.
It is re-serialised compactly: whitespace between tokens is not kept, a key that appears twice
keeps its last value, and (as in any JavaScript object) integer-like keys such as \`"0"\` come
first. Events stored before raw records were kept (migration 0004) have \`rawData: null\`.

### UserType → actorType

${table(
  ['UserType', 'Name', 'actorType', 'Why'],
  Object.entries(USER_TYPE_TO_ACTOR_TYPE).map(([value, e]) => [code(value), e.name, code(e.actorType), e.note]),
)}

The member name (\`"Regular"\`, \`"Admin"\`…) is accepted as well as the integer. An absent or
unrecognised UserType gives \`unknown\`.

### Identity rules

Applied only when UserType is ${REFINABLE_USER_TYPES.map((v) => (typeof v === 'number' ? `${USER_TYPE_TO_ACTOR_TYPE[v].name} (${v})` : v)).join(', ')}. A privileged
or non-human UserType always wins: a B2B guest holding an admin role acts as \`admin\`, because
what the identity was allowed to do matters more than where its account lives.

${table(
  ['When', 'actorType', 'Example', 'Why'],
  ACTOR_IDENTITY_RULES.map((r) => [r.pattern, code(r.actorType), code(r.example), r.why]),
)}

### Operations

Operation names match case-insensitively, trimmed, with or without Azure AD's trailing period.
An audit record describes one action, so bulk behaviour (hundreds of downloads in a minute)
cannot be rated here; that is a monitoring policy's job. Operations not listed take the
[RecordType default](#recordtype).

${groups
  .map(
    (group) => `#### ${group}

${table(
  ['Operation', 'Severity', 'resourceType', 'Escalated by'],
  OPERATIONS.filter((o) => o.group === group).map((o) => [
    code(o.operation),
    o.severity,
    o.resourceType ? code(o.resourceType) : '(from RecordType)',
    (escalated.get(o.operation) ?? []).map((id) => `[${id}](#escalations)`).join(', '),
  ]),
)}`,
  )
  .join('\n\n')}

### Escalations

The same operation matters more with certain parameters. An escalation only ever raises the
severity, never lowers it.

${table(
  ['Rule', 'Operations', 'When', 'Severity'],
  SEVERITY_ESCALATIONS.map((e) => [code(e.id), e.operations.map(code).join(', '), e.when, e.severity]),
)}

### RecordType

Defaults for operations the table above does not list, and the workload when a record has no
\`Workload\`. RecordTypes not listed fall back to severity \`${FALLBACKS.severity}\`, resourceType
\`${FALLBACKS.resourceType}\`, workload \`${FALLBACKS.workload}\`.

${table(
  ['RecordType', 'Name', 'Workload (fallback)', 'resourceType', 'Severity'],
  Object.entries(RECORD_TYPES).map(([value, e]) => [code(value), e.name, e.workload, code(e.resourceType), e.severity]),
)}

### ItemType

SharePoint and OneDrive records name the kind of item they touched. Microsoft documents an
integer enum; the records the API serves carry the member name. Both are accepted, and the
item type wins over the operation (a \`SharingSet\` on a folder is about a \`folder\`).

${table(
  ['ItemType', 'Value', 'resourceType'],
  ITEM_TYPE_TO_RESOURCE_TYPE.map((t) => [code(t.name), t.value === null ? '—' : code(t.value), code(t.resourceType)]),
)}

### resourceName

The first of these fields with a value, by \`Workload\`:

${table(
  ['Workload', 'Fields, in order'],
  Object.entries(RESOURCE_NAME_FIELDS).map(([workload, list]) => [workload, fields(list)]),
)}
`;
}

function graphSection(): string {
  const map = (entries: Record<string, string | null>) =>
    Object.entries(entries).map(([from, to]) => [code(from), to === null ? 'null' : code(to)]);
  const filterable = new Set<string>(SERVICE_SOURCES);

  return `## Microsoft Graph alerts_v2 → security alerts (\`--format graph\`)

Input: Microsoft Graph security \`alert\` objects (\`GET /security/alerts_v2\`), one per line or
as a JSON array. Source: \`src/ingest/graph.normaliser.ts\`.

### Fields

${table(
  ['Security alert field', 'From the Graph alert'],
  [
    ['`id`', 'a new ULID; re-ingesting the same Graph `id` updates the alert (when something changed)'],
    ['(source id)', '`id`'],
    ['`title`', '`title` (required)'],
    ['`description`', `\`description\`, else ${code(GRAPH_DEFAULTS.description)}`],
    ['`severity`', '[severity map](#severity)'],
    ['`status`, `isResolved`', '[status map](#status); `isResolved` is `status = resolved`'],
    ['`classification`', '[classification map](#classification)'],
    ['`category`', `\`category\`, else ${code(GRAPH_DEFAULTS.category)}`],
    ['`mitreTechniques`', '`mitreTechniques` (an array of strings), else `[]`'],
    ['`threatDisplayName`', '`threatDisplayName`, else null'],
    ['`firstActivityDateTime`', '`firstActivityDateTime`, else null'],
    ['`serviceSource`', `\`serviceSource\` verbatim, else ${code(GRAPH_DEFAULTS.serviceSource)}`],
    ['`createdAt`', '`createdDateTime` (required)'],
    ['`updatedAt`', '`lastUpdateDateTime`, else `createdDateTime`'],
    ['`users`, `groups`, `emails`, `apps`', '[extracted from `evidence`](#evidence)'],
    [
      '`rawData` (detail; lists with `include=rawData`)',
      'the object as given: every field and value, unknown ones included, in its key order',
    ],
    ['`recommendedActions` (detail)', `\`recommendedActions\`, else ${code(GRAPH_DEFAULTS.recommendedActions)}`],
  ],
)}

All times are truncated (never rounded) to milliseconds: Graph serves up to seven fractional
digits (\`2021-05-02T14:19:01.3266667Z\` → \`2021-05-02T14:19:01.326Z\`), and list cursors carry
millisecond times. \`rawData\` keeps the original strings.

A record is **rejected** (with the field named) when it is not a JSON object, when \`id\`,
\`title\`, \`severity\`, \`status\` or \`createdDateTime\` is missing, when an enum holds a value
Graph does not document, when a timestamp is not one, when \`evidence\` is not an array or
\`mitreTechniques\` not an array of strings, or when an optional text field (\`description\`,
\`category\`…) is neither text nor null.

Graph fields with no column of their own (\`providerAlertId\`, \`incidentId\`, \`determination\`,
\`detectionSource\`, \`assignedTo\`, \`resolvedDateTime\`, \`lastActivityDateTime\`,
\`comments\`, \`alertWebUrl\`…) are in \`rawData\`.

\`serviceSource\` is stored verbatim. The list filter \`?serviceSource=\` accepts
${[...filterable].map(code).join(', ')}; an alert with another value (Graph's \`unknown\`, or one
Graph adds later) is stored and listed but cannot be selected by that filter.

### Severity

Graph has no \`critical\`: a Graph alert is never stored as critical. \`unknown\` means no severity
was asserted; it goes to the bottom of the scale rather than inventing one.

${table(['Graph alertSeverity', 'severity'], map(GRAPH_SEVERITY_MAP))}

### Status

An alert in an unknown state stays in the triage queue.

${table(['Graph alertStatus', 'status'], map(GRAPH_STATUS_MAP))}

### Classification

Graph's \`unknown\` ("not classified yet") stays \`unknown\`; an absent or null classification
stays null.

${table(['Graph alertClassification', 'classification'], [...map(GRAPH_CLASSIFICATION_MAP), ['(absent or null)', 'null']])}

### Evidence

${table(
  ['Evidence `@odata.type`', 'Goes to', 'Field ← evidence field (first present wins)'],
  EVIDENCE_EXTRACTORS.map((e) => [
    code(`#microsoft.graph.security.${e.odataType}`),
    code(e.target),
    e.fields.map(([to, from]) => `${code(to)} ← ${from}`).join('; '),
  ]),
)}

Evidence that names nothing (a user evidence without UPN or display name, a group without an
id) is skipped. Every other evidence type (device, file, process, ip, url, registry,
mailCluster…) stays in \`rawData\` only; in particular a process's \`userAccount\` (often
\`SYSTEM\`) is not treated as a user the alert is about.

Duplicates are dropped, keeping the first in evidence order (a user named by both a
\`userEvidence\` and a \`mailboxEvidence\` appears once, completed with the display name the
first lacked). Two items are the same when these match, case-insensitively:

${table(
  ['List', 'Identity'],
  Object.entries(DEDUPLICATION_KEYS).map(([target, key]) => [code(target), key]),
)}
`;
}

function nativeSection(): string {
  return `## Native records (\`--format native\`): raw records and MITRE techniques

Native records are the API's own item shapes (source: \`src/ingest/native.normalisers.ts\`).
Besides the item's fields they may carry:

${table(
  ['Field', 'Resources', 'Stored as', 'When absent'],
  [
    [
      '`rawData` (a JSON object)',
      'all three',
      "the item's `rawData`, as given, in its key order",
      '`null` (logs, monitoring alerts); `{}` (security alerts)',
    ],
    ['`mitreTechniques` (an array of strings)', 'security alerts', '`mitreTechniques`', '`[]`'],
  ],
)}
`;
}

export function renderIngestionMappingDocument(): string {
  return `<!-- Generated from the normalisers' tables by src/ingest/ingestion-mapping.document.ts.
     Do not edit by hand: change the tables, then run
     UPDATE_GOLDEN=1 npx vitest run --project unit src/ingest/ingestion-mapping.document.test.ts -->

# Ingestion mapping

How \`pnpm admin ingest --format o365|graph\` turns Microsoft's records into the API's items.
Every table here is printed from the table the code uses, and the unit tests walk each row.

${o365Section()}
${graphSection()}
${nativeSection()}`;
}
