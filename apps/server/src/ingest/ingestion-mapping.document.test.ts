import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { expectGoldenText } from '../../test/support/golden-file';
import {
  EVIDENCE_EXTRACTORS,
  GRAPH_CLASSIFICATION_MAP,
  GRAPH_SEVERITY_MAP,
  GRAPH_STATUS_MAP,
} from './graph.normaliser';
import { renderIngestionMappingDocument } from './ingestion-mapping.document';
import {
  ACTOR_IDENTITY_RULES,
  ITEM_TYPE_TO_RESOURCE_TYPE,
  OPERATIONS,
  RECORD_TYPES,
  SEVERITY_ESCALATIONS,
  USER_TYPE_TO_ACTOR_TYPE,
} from './o365.normaliser';

const DOCUMENT = fileURLToPath(new URL('../../docs/ingestion-mapping.md', import.meta.url));

describe('docs/ingestion-mapping.md', () => {
  const document = renderIngestionMappingDocument();

  it('is exactly what the tables render (UPDATE_GOLDEN=1 regenerates it)', () => {
    expectGoldenText(DOCUMENT, document);
  });

  it('has a row for every entry of every table', () => {
    const rows = document.split('\n').filter((line) => line.startsWith('| '));
    const row = (...cells: string[]) => rows.some((line) => cells.every((c) => line.includes(c)));

    for (const [value, e] of Object.entries(USER_TYPE_TO_ACTOR_TYPE))
      expect(row(`\`${value}\``, e.name, `\`${e.actorType}\``)).toBe(true);
    for (const r of ACTOR_IDENTITY_RULES) expect(row(r.pattern, `\`${r.actorType}\``)).toBe(true);
    for (const o of OPERATIONS) expect(row(`\`${o.operation}\``, o.severity), o.operation).toBe(true);
    for (const e of SEVERITY_ESCALATIONS) expect(row(`\`${e.id}\``, e.severity)).toBe(true);
    for (const [value, e] of Object.entries(RECORD_TYPES))
      expect(row(`\`${value}\``, e.name, `\`${e.resourceType}\``, e.severity)).toBe(true);
    for (const t of ITEM_TYPE_TO_RESOURCE_TYPE) expect(row(`\`${t.name}\``, `\`${t.resourceType}\``)).toBe(true);
    for (const [from, to] of Object.entries({
      ...GRAPH_SEVERITY_MAP,
      ...GRAPH_STATUS_MAP,
      ...GRAPH_CLASSIFICATION_MAP,
    })) {
      expect(row(`\`${from}\``, `\`${to}\``)).toBe(true);
    }
    for (const e of EVIDENCE_EXTRACTORS)
      expect(row(`\`#microsoft.graph.security.${e.odataType}\``, `\`${e.target}\``)).toBe(true);
  });
});
