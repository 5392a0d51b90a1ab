import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

/**
 * Golden files: the expected output of a transformation, checked in beside its input.
 * `UPDATE_GOLDEN=1` rewrites them from the current output (review the diff before
 * committing); otherwise the output must equal them exactly.
 */

export const FIXTURES_DIR = fileURLToPath(new URL('../fixtures/', import.meta.url));
export const GOLDEN_DIR = path.join(FIXTURES_DIR, 'golden');

const updating = process.env.UPDATE_GOLDEN === '1';

/** Compares `actual` (as pretty JSON) with `test/fixtures/golden/<name>.json`. */
export function expectGoldenJson(name: string, actual: unknown): void {
  const file = path.join(GOLDEN_DIR, `${name}.json`);
  expectGoldenText(file, `${JSON.stringify(actual, null, 2)}\n`, (expected, got) =>
    expect(JSON.parse(got), `${path.relative(process.cwd(), file)} differs`).toEqual(JSON.parse(expected)),
  );
}

/** Compares `actual` with the text file at `file` (any path), byte for byte. */
export function expectGoldenText(
  file: string,
  actual: string,
  compare: (expected: string, actual: string) => void = (expected, got) =>
    expect(got, `${path.relative(process.cwd(), file)} differs`).toBe(expected),
): void {
  if (updating) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file)) {
    throw new Error(`Golden file ${file} is missing: run the test with UPDATE_GOLDEN=1 to create it, then review it.`);
  }
  const expected = readFileSync(file, 'utf8');
  compare(expected, actual);
  // Structural equality passed; insist on identical bytes too, so formatting drift is caught.
  expect(actual === expected, `${path.relative(process.cwd(), file)} is out of date: rerun with UPDATE_GOLDEN=1`).toBe(
    true,
  );
}

export type FixtureRecord = { line: number; value: unknown } | { line: number; error: string };

/**
 * The records of a fixture: an NDJSON file line by line (1-based line numbers; blank lines
 * skipped; a line that is not JSON comes back as an error), or a JSON array file element
 * by element (numbered from 1).
 */
export function readFixtureRecords(name: string): FixtureRecord[] {
  const text = readFileSync(path.join(FIXTURES_DIR, name), 'utf8');
  if (name.endsWith('.json')) {
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed)) throw new Error(`${name} is not a JSON array`);
    return parsed.map((value, index) => ({ line: index + 1, value }));
  }
  return text.split('\n').flatMap((raw, index): FixtureRecord[] => {
    if (raw.trim() === '') return [];
    try {
      return [{ line: index + 1, value: JSON.parse(raw) as unknown }];
    } catch {
      // Not the parser's message: it differs between Node versions and would churn goldens.
      return [{ line: index + 1, error: 'invalid JSON' }];
    }
  });
}

/** A fixed `now` and a deterministic ULID-shaped id sequence for normaliser tests. */
export function fixedNormaliseContext(tenantId = 'tenant-golden') {
  let counter = 0;
  return {
    tenantId,
    now: new Date('2026-06-05T09:30:00.000Z'),
    newId: () => `01J000000000000000000${String(++counter).padStart(5, '0')}`,
  };
}
