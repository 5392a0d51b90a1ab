import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isoFromPgTimestamp, isoTimestamp } from '../src/db/iso-timestamps';
import { createTestDatabase, ENGINE, type TestDatabase } from './support/test-database';

/**
 * Item queries read timestamps as ISO strings straight from the driver (no Date in between).
 * They must render every instant exactly as `Date#toISOString()` renders it. (The check caught
 * PGlite's own Date parsing reading the year 0099 as 1999; the strings have no such quirk.)
 */
describe(`timestamps as ISO strings (${ENGINE})`, () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.close();
  });

  async function render(values: Array<string | null>) {
    const { rows } = await sql<{ iso: string | null }>`
      select ${isoTimestamp('t')} as iso from unnest(${values}::timestamptz[]) with ordinality as v(t, n) order by n`.execute(
      database.db,
    );
    return rows.map((row) => row.iso);
  }

  it('renders any instant of years 1–9999, at any precision, as toISOString does', async () => {
    // An instant in milliseconds, plus sub-millisecond digits the rendering must truncate.
    const instant = fc.tuple(
      fc.integer({ min: -62135596800000, max: 253402300799999 }),
      fc.integer({ min: 0, max: 999 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(instant, { minLength: 1, maxLength: 200 }), async (instants) => {
        const stored = instants.map(
          ([ms, micros]) => `${new Date(ms).toISOString().slice(0, -1)}${String(micros).padStart(3, '0')}Z`,
        );
        expect(await render(stored)).toEqual(instants.map(([ms]) => new Date(ms).toISOString()));
      }),
      { numRuns: 25 },
    );
  });

  it('keeps nulls, whole seconds, trimmed fractions and the edges of the storable range', async () => {
    const rendered = await render([
      '2026-11-25T10:00:00Z',
      '2026-11-25T10:00:00.1Z',
      '2026-11-25T10:00:00.12Z',
      '2026-11-25T10:00:00.999999Z',
      '2026-11-25T23:59:59.9995+02:00',
      '0001-01-01T00:00:00Z',
      '0999-12-31T23:59:59.5Z',
      '9999-12-31T23:59:59.999Z',
    ]);
    expect(rendered).toEqual([
      '2026-11-25T10:00:00.000Z',
      '2026-11-25T10:00:00.100Z',
      '2026-11-25T10:00:00.120Z',
      '2026-11-25T10:00:00.999Z',
      '2026-11-25T21:59:59.999Z',
      '0001-01-01T00:00:00.000Z',
      '0999-12-31T23:59:59.500Z',
      '9999-12-31T23:59:59.999Z',
    ]);
    expect(await render([null, '2026-11-25T10:00:00Z'])).toEqual([null, '2026-11-25T10:00:00.000Z']);
  });
});

describe('isoFromPgTimestamp', () => {
  it('renders years beyond 9999 and before Christ in toISOString form', () => {
    expect(isoFromPgTimestamp('10000-01-01 00:00:00')).toBe('+010000-01-01T00:00:00.000Z');
    expect(isoFromPgTimestamp('0001-01-01 00:00:00.5 BC')).toBe('0000-01-01T00:00:00.500Z');
    expect(isoFromPgTimestamp('0002-03-04 05:06:07 BC')).toBe('-000001-03-04T05:06:07.000Z');
  });

  it('refuses text it does not understand instead of guessing', () => {
    expect(() => isoFromPgTimestamp('infinity')).toThrow(/Unexpected timestamp/);
    expect(() => isoFromPgTimestamp('25/11/2026 10:00')).toThrow(/Unexpected timestamp/);
  });
});
