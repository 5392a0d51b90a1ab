import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CEF_MAPPINGS, labelKeyOf } from '../src/cli/cef.format';
import { ECS_MAPPINGS } from '../src/cli/ecs.format';
import { renderFieldMappingDocument } from '../src/cli/field-mapping.document';
import { RESOURCE_NAMES } from '../src/cli/resource.registry';
import { PACKAGE_DIR } from './support/paths';

const DOCUMENT = path.resolve(PACKAGE_DIR, '../../apps/docs/guides/siem-field-mappings.md');

describe('apps/docs/guides/siem-field-mappings.md', () => {
  const document = renderFieldMappingDocument();

  it("is exactly what the formatters' tables render (UPDATE_GOLDEN=1 regenerates it)", async () => {
    if (process.env.UPDATE_GOLDEN === '1' || (!existsSync(DOCUMENT) && process.env.CI !== 'true'))
      await writeFile(DOCUMENT, document);
    expect(
      document,
      'the mapping document is stale: run UPDATE_GOLDEN=1 pnpm exec vitest run test/onesec-mapping-document.test.ts',
    ).toBe(await readFile(DOCUMENT, 'utf8'));
  });

  it('has a row for every CEF extension and every ECS field of every resource', () => {
    const rows = document.split('\n').filter((line) => line.startsWith('| '));
    for (const resource of RESOURCE_NAMES) {
      for (const e of CEF_MAPPINGS[resource].extensions) {
        const label = e.label === undefined ? '' : `${labelKeyOf(e.key)}=${e.label}`;
        expect(
          rows.some((r) => r.startsWith(`| \`${e.key}\` |`) && r.includes(label)),
          `${resource} ${e.key}`,
        ).toBe(true);
      }
      for (const f of ECS_MAPPINGS[resource])
        expect(
          rows.some((r) => r.startsWith(`| \`${f.field}\` |`)),
          `${resource} ${f.field}`,
        ).toBe(true);
    }
  });
});
