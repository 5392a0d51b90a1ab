import { EcsFlat } from '@elastic/ecs';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ECS_MAPPINGS, ECS_VERSION, toEcsDocument } from '../src/cli/ecs.format';
import { FORMAT_NAMES, formatItem } from '../src/cli/output.format';
import { formatSyslogMessage, octetCountedFrame } from '../src/cli/syslog.framing';
import { RESOURCE_NAMES } from '../src/cli/resource.registry';
import { SAMPLE_CONTEXT, SAMPLES } from './support/format-samples';
import { PACKAGE_DIR } from './support/paths';

const GOLDEN_DIR = path.join(PACKAGE_DIR, 'test/fixtures/onesec-golden');

/** Compares with the checked-in file; `UPDATE_GOLDEN=1` rewrites it. */
async function expectGolden(file: string, actual: string): Promise<void> {
  const target = path.join(GOLDEN_DIR, file);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(target)) {
    if (process.env.CI === 'true') throw new Error(`${file} is missing; run UPDATE_GOLDEN=1 locally`);
    await mkdir(GOLDEN_DIR, { recursive: true });
    await writeFile(target, actual);
  }
  expect(actual, `${file} differs (UPDATE_GOLDEN=1 regenerates it)`).toBe(await readFile(target, 'utf8'));
}

describe('the three formats, golden', () => {
  for (const format of FORMAT_NAMES) {
    it(`${format}: fixed items of every resource render exactly as checked in`, async () => {
      const lines = SAMPLES.map((entry) => formatItem(format, entry, SAMPLE_CONTEXT));
      for (const line of lines) expect(line).not.toMatch(/[\r\n]/);
      await expectGolden(`${format}.txt`, lines.map((l) => `${l}\n`).join(''));
    });
  }

  it('ndjson is the API item as is, plus "resource"', () => {
    for (const entry of SAMPLES)
      expect(JSON.parse(formatItem('ndjson', entry, SAMPLE_CONTEXT))).toEqual({
        resource: entry.resource,
        ...entry.item,
      });
  });

  it('syslog framing: RFC 5424 header and octet counting in bytes, not characters', () => {
    const message = formatSyslogMessage(
      {
        severity: 'critical',
        timestamp: '2026-06-05T09:12:44.000Z',
        hostname: 'collector-1',
        procId: 42,
        msgId: 'logs',
      },
      'Zoë 東京',
    );
    expect(message).toBe('<130>1 2026-06-05T09:12:44.000Z collector-1 onesec 42 logs - Zoë 東京');
    const frame = octetCountedFrame(message);
    const body = Buffer.byteLength(message, 'utf8');
    expect(frame.toString('utf8')).toBe(`${body} ${message}`);
    expect(body).toBeGreaterThan(message.length);
  });
});

type EcsFieldDefinition = { type: string; normalize: string[]; allowed_values?: Array<{ name: string }> };
const ECS = EcsFlat as unknown as Record<string, EcsFieldDefinition>;

function leaves(value: unknown, prefix = ''): Array<[string, unknown]> {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    // `labels` is one ECS field of type object: its keys are free, its values keywords.
    if (prefix === 'labels') return [[prefix, value]];
    return Object.entries(value).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
  }
  return [[prefix, value]];
}

function checkType(name: string, definition: EcsFieldDefinition, value: unknown): void {
  const values = definition.normalize.includes('array') ? value : [value];
  if (definition.normalize.includes('array')) expect(Array.isArray(value), `${name} must be an array`).toBe(true);
  for (const v of values as unknown[]) {
    switch (definition.type) {
      case 'keyword':
      case 'constant_keyword':
      case 'wildcard':
      case 'match_only_text':
      case 'text':
        expect(typeof v, name).toBe('string');
        break;
      case 'date':
        expect(typeof v === 'string' && !Number.isNaN(Date.parse(v)), `${name} must be an ISO date`).toBe(true);
        break;
      case 'long':
      case 'integer':
        expect(Number.isInteger(v), name).toBe(true);
        break;
      case 'ip':
        expect(isIP(String(v)), `${name} must be an IP address`).not.toBe(0);
        break;
      case 'object':
        expect(
          Object.values(v as object).every((x) => typeof x === 'string'),
          `${name} values must be keywords`,
        ).toBe(true);
        break;
      default:
        throw new Error(`${name}: ECS type ${definition.type} not checked here`);
    }
    if (definition.allowed_values)
      expect(
        definition.allowed_values.map((a) => a.name),
        name,
      ).toContain(v);
  }
}

describe(`ECS output against the ECS ${ECS_VERSION} field definitions (@elastic/ecs)`, () => {
  it('every field the mappings write is an ECS field', () => {
    for (const resource of RESOURCE_NAMES) {
      for (const spec of ECS_MAPPINGS[resource]) expect(ECS[spec.field], `${resource}: ${spec.field}`).toBeDefined();
    }
    expect(ECS['ecs.version']).toBeDefined();
  });

  it('every value has its field type (keyword, date, long, ip, arrays, allowed values)', () => {
    for (const entry of SAMPLES) {
      const document = toEcsDocument(entry, SAMPLE_CONTEXT);
      expect(JSON.parse(formatItem('ecs', entry, SAMPLE_CONTEXT))).toEqual(document);
      for (const [name, value] of leaves(document)) {
        const definition = ECS[name];
        expect(definition, `${name} is not an ECS field`).toBeDefined();
        checkType(name, definition!, value);
      }
    }
  });
});
