import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { generateOpenApi } from '@ts-rest/open-api';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { contract } from '../src/index';
import { generateOpenApiDocument } from '../src/openapi';

/* eslint-disable @typescript-eslint/no-explicit-any -- walking JSON documents */
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

/** JSON pointers (as key paths) of every node with `nullable: true`. */
function nullablePlaces(node: any, at: string[] = []): string[][] {
  if (node === null || typeof node !== 'object') return [];
  const here = node.nullable === true ? [at] : [];
  return [...here, ...Object.entries(node).flatMap(([key, value]) => nullablePlaces(value, [...at, key]))];
}

/** A copy whose `#/components/schemas/X` references point into one registered schema. */
function withRefsInto(id: string, node: any): any {
  if (Array.isArray(node)) return node.map((n) => withRefsInto(id, n));
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => [
      key,
      key === '$ref' && typeof value === 'string'
        ? value.replace('#/components/schemas/', `${id}#/$defs/`)
        : withRefsInto(id, value),
    ]),
  );
}

const REDOCLY = fileURLToPath(new URL('../node_modules/.bin/redocly', import.meta.url));

describe('the OpenAPI document', () => {
  const doc = generateOpenApiDocument();

  it('validates and lints clean with redocly (recommended rules)', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'openapi-')), 'openapi.json');
    writeFileSync(file, JSON.stringify(doc));
    const { stdout } = await promisify(execFile)(REDOCLY, ['lint', file, '--format=json'], {
      maxBuffer: 10_000_000,
    }).catch((err: { stdout: string }) => ({ stdout: err.stdout }));
    const report = JSON.parse(stdout);
    expect(report.problems).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  }, 60_000);

  it('is OpenAPI 3.1 and never uses the 3.0-only `nullable`', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(nullablePlaces(doc)).toEqual([]);
  });

  it('admits null wherever the contract does, as a strict JSON Schema 2020-12 validator reads it', () => {
    // Strict: an unknown keyword (`nullable` included) fails compilation instead of being ignored.
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    addFormats(ajv);
    ajv.addVocabulary(['example']);
    ajv.addSchema({ $id: 'doc', $defs: withRefsInto('doc', doc.components.schemas) });
    for (const name of Object.keys(doc.components.schemas)) {
      const schema = doc.components.schemas[name];
      const validate = ajv.compile({ $ref: `doc#/$defs/${name}` });
      if (schema.example !== undefined) expect(validate(schema.example), `${name} example`).toBe(true);
    }
    // Where the generator marks a value nullable, the document must take null there. The same
    // places exist in the document (only the nullable nodes themselves are rewritten).
    const raw = generateOpenApi(contract, { info: { title: 'raw', version: '0' } }) as any;
    const places = nullablePlaces(raw.components.schemas);
    expect(places.length).toBeGreaterThan(10);
    for (const place of places) {
      const pointer = place.map((k) => k.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
      const validate = ajv.compile({ $ref: `doc#/$defs/${pointer}` });
      expect(validate(null), `${place.join('.')} admits null`).toBe(true);
      const source = place.reduce((node, key) => node[key], raw.components.schemas);
      const typed = source.type !== undefined || source.allOf !== undefined || source.$ref !== undefined;
      if (typed) expect(validate(12345), `${place.join('.')} still rejects a number`).toBe(false);
    }
    const alert = { ...doc.components.schemas.MonitoringAlert.example, assignedUser: null };
    expect(ajv.validate({ $ref: 'doc#/$defs/MonitoringAlert' }, alert)).toBe(true);
  });

  it('declares the headers each response always carries as required, so contract tests can assert them', () => {
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      for (const [status, response] of Object.entries<any>(item.get.responses)) {
        const required = Object.entries<any>(response.headers)
          .map(([name, header]) => [name, header.$ref ? doc.components.headers[name] : header])
          .filter(([, header]) => header.required === true)
          .map(([name]) => name);
        const expected = ['X-Request-Id'];
        if (!['500', '503'].includes(status))
          expected.push('X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset');
        if (['429', '503'].includes(status)) expected.push('Retry-After');
        expect(required.sort(), `${path} ${status}`).toEqual(expected.sort());
      }
    }
  });

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
    for (const item of Object.values<
      Record<string, { operationId: string; summary: string; responses: Record<string, { description: string }> }>
    >(doc.paths)) {
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
    for (const item of Object.values<Record<string, { parameters?: { schema: { nullable?: boolean } }[] }>>(
      doc.paths,
    )) {
      for (const operation of Object.values(item)) {
        for (const parameter of operation.parameters ?? []) expect(parameter.schema.nullable).toBeUndefined();
      }
    }
  });
});
