import { SEVERITIES } from '@1security/contract';
import { CEF_MAPPINGS, CEF_PRODUCT, CEF_VENDOR, labelKeyOf, type CefMapping } from './cef.format';
import {
  ECS_MAPPINGS,
  ECS_VERSION,
  LOG_AUTHENTICATION_ACTION,
  LOG_EVENT_CATEGORY_BY_RESOURCE_TYPE,
  LOG_EVENT_DEFAULT_CATEGORY,
  LOG_EVENT_DEFAULT_TYPE,
  LOG_EVENT_TYPE_BY_ACTION,
  type EcsField,
} from './ecs.format';
import { RESOURCE_NAMES, type ResourceName } from './resource.registry';
import {
  CEF_SEVERITY,
  SYSLOG_FACILITY,
  SYSLOG_FACILITY_NAME,
  SYSLOG_SEVERITY,
  SYSLOG_SEVERITY_NAMES,
} from './severity.mapping';
import { SYSLOG_APP_NAME } from './syslog.framing';

/**
 * Renders `apps/docs/guides/siem-field-mappings.md` from the formatters' own tables, so the
 * document is the code. `test/onesec-mapping-document.test.ts` fails when the checked-in
 * file differs; `UPDATE_GOLDEN=1` rewrites it.
 */

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

const TITLES: Record<ResourceName, string> = {
  logs: 'Audit logs (`logs`)',
  'monitoring-alerts': 'Monitoring alerts (`monitoring-alerts`)',
  'security-alerts': 'Security alerts (`security-alerts`)',
};

function cefSection(resource: ResourceName): string {
  const mapping = CEF_MAPPINGS[resource] as CefMapping<never>;
  const rows = mapping.extensions.map((e) => [
    `\`${e.key}\``,
    e.label === undefined ? '' : `\`${labelKeyOf(e.key)}=${e.label}\``,
    e.from,
  ]);
  return `### CEF: ${TITLES[resource]}

Signature ID: ${mapping.signatureId.from}. Name: ${mapping.name.from}. Fields that are null or
empty lists are left out.

${table(['Extension key', 'Label', 'From'], rows)}`;
}

function ecsSection(resource: ResourceName): string {
  const fields = ECS_MAPPINGS[resource] as readonly EcsField<never>[];
  return `### ECS: ${TITLES[resource]}

${table(['ECS field', 'From'], [['`ecs.version`', `\`${ECS_VERSION}\``], ...fields.map((f) => [`\`${f.field}\``, f.from])])}`;
}

export function renderFieldMappingDocument(): string {
  return `# CEF and ECS field mappings

How \`onesec\` ([the SIEM forwarder](onesec.md)) writes each API item in each format, field by
field. This page is generated from the formatters' own tables in
\`packages/client/src/cli/\`, and a test fails when it differs from them, so it is exactly what
the command does.

## Severity

One scale for every resource. CEF carries it in the header (0–10), ECS in \`event.severity\`,
and syslog in the PRI of the message (facility ${SYSLOG_FACILITY_NAME}, ${SYSLOG_FACILITY}, for every message).

${table(
  ['API severity', 'CEF severity', 'ECS `event.severity`', 'Syslog severity'],
  SEVERITIES.map((s) => [
    `\`${s}\``,
    String(CEF_SEVERITY[s]),
    String(CEF_SEVERITY[s]),
    `${SYSLOG_SEVERITY[s]} (${SYSLOG_SEVERITY_NAMES[SYSLOG_SEVERITY[s]]})`,
  ]),
)}

## Syslog messages

Every format travels the same way over syslog: RFC 5424, one item per message, octet-counted
on TCP and TLS (RFC 6587, RFC 5425), one datagram per message on UDP. The message body is the
item's line in the chosen format.

${table(
  ['RFC 5424 field', 'Value'],
  [
    ['PRI', `facility ${SYSLOG_FACILITY_NAME} (${SYSLOG_FACILITY}) × 8 + the [syslog severity](#severity)`],
    ['VERSION', '`1`'],
    ['TIMESTAMP', "the item's own time: `occurredAt` (logs), `updatedAt` (alerts)"],
    ['HOSTNAME', 'the host `onesec` runs on'],
    ['APP-NAME', `\`${SYSLOG_APP_NAME}\``],
    ['PROCID', 'the process id of `onesec`'],
    ['MSGID', 'the resource: ' + RESOURCE_NAMES.map((r) => `\`${r}\``).join(', ')],
    ['STRUCTURED-DATA', '`-` (none)'],
    ['MSG', 'the item in the chosen format, UTF-8 without a BOM'],
  ],
)}

## NDJSON

\`--format ndjson\`: the API item exactly as the API serves it, with \`"resource"\` added first,
one JSON object per line.

## CEF

\`--format cef\`: ArcSight Common Event Format 0, one record per line:

\`\`\`text
CEF:0|${CEF_VENDOR}|${CEF_PRODUCT}|<client version>|<signature id>|<name>|<severity>|<extensions>
\`\`\`

Escaping follows the CEF specification. In the header, \`\\\` becomes \`\\\\\` and \`|\` becomes
\`\\|\`; a line break, which a header cannot carry, becomes a space. In extension values, \`\\\`
becomes \`\\\\\`, \`=\` becomes \`\\=\`, a line feed \`\\n\` and a carriage return \`\\r\`; a pipe
is left as is. Times are milliseconds since the epoch. Custom fields (\`csN\`,
\`flexString1\`, \`deviceCustomDateN\`, \`c6a2\`) carry their label in the matching \`…Label\`
key, written just before them. \`deviceExternalId\` is the tenant id, the same on every record
of one API key. \`rawData\` (\`--include rawData\`) is left out: a nested provider record has no
CEF extension to go to; NDJSON (the \`rawData\` field) and ECS (\`event.original\`) carry it.

${RESOURCE_NAMES.map(cefSection).join('\n\n')}

## ECS

\`--format ecs\`: one Elastic Common Schema ${ECS_VERSION} document per line, nested objects,
null fields left out. Field names and types are checked against the ECS field definitions
(the \`@elastic/ecs\` package) by the tests. \`event.ingested\` is left to your ingest pipeline:
it is the time the document reached *your* store.

${RESOURCE_NAMES.map(ecsSection).join('\n\n')}

### ECS event category of audit events

\`authentication\` when the action matches \`${LOG_AUTHENTICATION_ACTION.source}\`; otherwise by
\`resourceType\`:

${table(
  ['`resourceType`', '`event.category`'],
  [
    ...Object.entries(LOG_EVENT_CATEGORY_BY_RESOURCE_TYPE).map(([t, c]) => [`\`${t}\``, `\`${c}\``]),
    ['anything else', `\`${LOG_EVENT_DEFAULT_CATEGORY}\``],
  ],
)}

### ECS event type of audit events

By the verb in \`action\`, the first matching row wins:

${table(
  ['`action` matches', '`event.type`'],
  [
    ...LOG_EVENT_TYPE_BY_ACTION.map((r) => [`\`${r.pattern.source}\``, `\`${r.type}\``]),
    ['nothing above', `\`${LOG_EVENT_DEFAULT_TYPE}\``],
  ],
)}
`;
}
