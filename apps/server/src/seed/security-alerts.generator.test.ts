import { describe, expect, it } from 'vitest';
import { normaliseGraphAlert } from '../ingest/graph.normaliser';
import { generateSecurityAlerts } from './security-alerts.generator';
import { SeededRandom } from './seeded-random';
import { buildTenantDirectory } from './tenant-directory';

const NOW = Date.parse('2026-07-01T00:00:00Z');

function generate(seed: string, count: number) {
  const random = new SeededRandom(seed);
  const directory = buildTenantDirectory(random.fork('directory'));
  return [...generateSecurityAlerts({ tenantId: 'tenant-a', count, now: NOW, random, directory })];
}

describe('seeded security alerts', () => {
  it('are exactly what ingesting their Graph object with --format graph stores', () => {
    const rows = generate('one-path', 200);
    for (const row of rows) {
      const graph: unknown = JSON.parse(row.raw_data as string);
      const ingested = normaliseGraphAlert(graph, { tenantId: 'tenant-a', now: new Date(NOW), newId: () => row.id });
      expect(ingested).toEqual({ ok: true, row });
    }
    // The Graph object carries the techniques the row lists, and every template names some.
    for (const row of rows) {
      const graph = JSON.parse(row.raw_data as string) as { mitreTechniques: string[] };
      expect(JSON.parse(row.mitre_techniques as string)).toEqual(graph.mitreTechniques);
      expect(graph.mitreTechniques.length).toBeGreaterThan(0);
    }
  });

  it('are the same for the same seed and differ for another', () => {
    expect(generate('same', 30)).toEqual(generate('same', 30));
    expect(generate('other', 30).map((r) => r.source_id)).not.toEqual(generate('same', 30).map((r) => r.source_id));
  });
});
