import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { generateOpenApiDocument } from '../src/openapi';

const REDOCLY = fileURLToPath(new URL('../node_modules/.bin/redocly', import.meta.url));

describe('the OpenAPI document', () => {
  const doc = generateOpenApiDocument();

  it('validates and lints clean with redocly (recommended rules)', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'openapi-')), 'openapi.json');
    writeFileSync(file, JSON.stringify(doc));
    const { stdout } = await promisify(execFile)(REDOCLY, ['lint', file, '--format=json'], { maxBuffer: 10_000_000 }).catch(
      (err: { stdout: string }) => ({ stdout: err.stdout }),
    );
    const report = JSON.parse(stdout);
    expect(report.problems).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  }, 60_000);

  it('leaves out the dashboard API: it is no part of the public contract', () => {
    const paths = Object.keys(doc.paths);
    expect(paths.length).toBeGreaterThan(0);
    expect(paths.filter((p) => /dashboard|session|api-keys|mfa/i.test(p))).toEqual([]);
    expect(JSON.stringify(doc)).not.toMatch(/MFA_REQUIRED|MFA_ENROLMENT_REQUIRED|CONFLICT|otpauth/);
  });

  it('declares both security schemes and applies them globally', () => {
    expect(doc.components.securitySchemes).toMatchObject({
      bearerAuth: { type: 'http', scheme: 'bearer' },
      apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
    });
    expect(doc.security).toEqual([{ bearerAuth: [] }, { apiKeyHeader: [] }]);
  });

  it('gives every operation an id, a summary, and responses described in words', () => {
    for (const item of Object.values<Record<string, { operationId: string; summary: string; responses: Record<string, { description: string }> }>>(doc.paths)) {
      for (const operation of Object.values(item)) {
        expect(operation.operationId).toMatch(/^[a-z][A-Za-z]+$/);
        expect(operation.summary.length).toBeGreaterThan(5);
        for (const [status, response] of Object.entries(operation.responses)) {
          expect(response.description, `${operation.operationId} ${status}`).not.toMatch(/^\d+$/);
        }
      }
    }
  });

  it('never marks a parameter nullable', () => {
    expect(JSON.stringify(doc.paths)).not.toContain('"nullable":true,"name"');
    for (const item of Object.values<Record<string, { parameters?: { schema: { nullable?: boolean } }[] }>>(doc.paths)) {
      for (const operation of Object.values(item)) {
        for (const parameter of operation.parameters ?? []) expect(parameter.schema.nullable).toBeUndefined();
      }
    }
  });
});
