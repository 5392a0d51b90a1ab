import fc from 'fast-check';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MAX_RECORD_CHARS, readRecords, type InputRecord } from './record-reader';

async function readAll(input: Readable): Promise<InputRecord[]> {
  const records: InputRecord[] = [];
  for await (const record of readRecords(input)) records.push(record);
  return records;
}

const readText = (text: string) => readAll(Readable.from([Buffer.from(text)]));

/** The same bytes cut at the given offsets (possibly inside a multi-byte character). */
function inChunks(text: string, cuts: number[]): Readable {
  const bytes = Buffer.from(text);
  const offsets = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const to of [...offsets, bytes.length]) {
    if (to > from) chunks.push(bytes.subarray(from, to));
    from = Math.max(from, to);
  }
  return Readable.from(chunks);
}

/** Line (and element) of each record, and whether it was read or reported. */
const outline = (records: InputRecord[]) =>
  records.map((r) => ({ line: r.line, element: r.element, read: 'value' in r }));

describe('NDJSON', () => {
  it('reads a line starting with "[" in the middle as one record, and every line after it', async () => {
    const records = await readText('{"a":1}\n{"a":2}\n[{"a":3}\n{"a":4}\n');
    expect(records).toEqual([
      { line: 1, value: { a: 1 } },
      { line: 2, value: { a: 2 } },
      { line: 3, error: expect.stringContaining('not valid JSON') },
      { line: 4, value: { a: 4 } },
    ]);
  });

  it('skips blank lines, strips a byte order mark and CRLF, and numbers lines as an editor does', async () => {
    const records = await readText('\uFEFF{"a":1}\r\n\r\n  \t\n{"a":2}\r\n\uFEFF{"a":3}\n"text"\n');
    expect(records).toEqual([
      { line: 1, value: { a: 1 } },
      { line: 4, value: { a: 2 } },
      // Only the file's first character may be a byte order mark.
      { line: 5, error: expect.stringContaining('not valid JSON') },
      { line: 6, value: 'text' },
    ]);
  });

  it('reports a line longer than the limit and reads the lines after it', async () => {
    const records = await readText(`{"a":1}\n{"a":"${'x'.repeat(MAX_RECORD_CHARS)}"}\n{"a":3}`);
    expect(records).toEqual([
      { line: 1, value: { a: 1 } },
      { line: 2, error: `line is longer than ${MAX_RECORD_CHARS} characters` },
      { line: 3, value: { a: 3 } },
    ]);
  });

  it('property: every line that is not blank comes out once, read or reported, in order', async () => {
    type Line = { text: string; outcome: 'read' | 'reported' | 'blank'; value?: unknown };
    const good = fc
      .record({ n: fc.integer(), s: fc.string({ unit: 'grapheme', maxLength: 20 }) })
      .map((value): Line => ({ text: JSON.stringify(value), outcome: 'read', value }));
    const validButOdd = fc.constantFrom<Line>(
      { text: '[{"a":1},{"a":2}]', outcome: 'read', value: [{ a: 1 }, { a: 2 }] },
      { text: '  {"a":1}  ', outcome: 'read', value: { a: 1 } },
      { text: '42', outcome: 'read', value: 42 },
      { text: 'null', outcome: 'read', value: null },
    );
    const bad = fc.constantFrom<Line>(
      ...['[', ']', '{', '}', '{"a":', '"a":1}', 'not json', '"open', '{"a":1}}', '\uFEFF{"a":1}', ',', 'nul'].map(
        (text): Line => ({ text, outcome: 'reported' }),
      ),
      { text: 'x'.repeat(MAX_RECORD_CHARS + 1), outcome: 'reported' },
    );
    const randomText = fc
      .string({ unit: 'binary', maxLength: 30 })
      .filter((text) => !text.includes('\n'))
      // As the bytes will carry it (a lone surrogate becomes U+FFFD in UTF-8).
      .map((raw) => Buffer.from(raw).toString())
      .map((text): Line => {
        if (!/[^ \t\r]/.test(text)) return { text, outcome: 'blank' };
        try {
          return { text, outcome: 'read', value: JSON.parse(text) };
        } catch {
          return { text, outcome: 'reported' };
        }
      });
    const blank = fc.constantFrom<Line>(...['', ' ', '\t', '\r'].map((text): Line => ({ text, outcome: 'blank' })));
    const line = fc.oneof(
      { arbitrary: good, weight: 5 },
      { arbitrary: validButOdd, weight: 1 },
      { arbitrary: bad, weight: 3 },
      { arbitrary: randomText, weight: 2 },
      { arbitrary: blank, weight: 2 },
    );
    await fc.assert(
      fc.asyncProperty(
        good,
        fc.array(line, { maxLength: 40 }),
        fc.boolean(),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 6 }),
        async (first, rest, bom, crlf, cuts) => {
          // The first line decides the format: start with an object so this is NDJSON.
          const lines = [first, ...rest];
          const text = (bom ? '\uFEFF' : '') + lines.map((l) => l.text).join(crlf ? '\r\n' : '\n');
          const records = await readAll(inChunks(text, cuts));
          const expected = lines.flatMap((l, i) =>
            l.outcome === 'blank' ? [] : [{ line: i + 1, read: l.outcome === 'read' }],
          );
          expect(records.map((r) => ({ line: r.line, read: 'value' in r }))).toEqual(expected);
          for (const record of records) {
            if ('value' in record) expect(record.value).toEqual(lines[record.line - 1]!.value);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('JSON array', () => {
  it('numbers elements and the line each starts on, pretty-printed or minified', async () => {
    const values = [{ a: 1 }, { b: [1, 2] }, { c: 'x' }];
    expect(outline(await readText(JSON.stringify(values, null, 2)))).toEqual([
      { line: 2, element: 1, read: true },
      { line: 5, element: 2, read: true },
      { line: 11, element: 3, read: true },
    ]);
    const minified = await readText(`\uFEFF  ${JSON.stringify(values)}\r\n`);
    expect(minified).toEqual(values.map((value, i) => ({ line: 1, element: i + 1, value })));
  });

  it('reports a malformed element by index and line and reads the elements after it', async () => {
    const records = await readText('[\n{"a":1},\n{"a": tru},\n{"a":"x\n"},\n{"a":[1}]},\n{"a":5}\n]\n');
    expect(records).toEqual([
      { line: 2, element: 1, value: { a: 1 } },
      { line: 3, element: 2, error: expect.stringContaining('not valid JSON') },
      // A raw line break in a string: the damage stays in this element.
      { line: 4, element: 3, error: expect.stringContaining('not valid JSON') },
      { line: 6, element: 4, error: expect.stringContaining('not valid JSON') },
      { line: 7, element: 5, value: { a: 5 } },
    ]);
  });

  it('keeps brackets, commas and escaped quotes inside strings out of the structure', async () => {
    const values = [{ a: '],[{"', b: 'x\\' }, { c: '\\"}' }, 'plain , ] string'];
    const records = await readText(JSON.stringify(values));
    expect(records).toEqual(values.map((value, i) => ({ line: 1, element: i + 1, value })));
  });

  it('reports empty slots and every non-blank line after the closing "]"', async () => {
    const records = await readText('[{"a":1},,{"a":2},\n]\n{"a":3}\n\n[{"a":4}]');
    expect(records).toEqual([
      { line: 1, element: 1, value: { a: 1 } },
      { line: 1, element: 2, error: 'empty element (a comma with no value before it)' },
      { line: 1, element: 3, value: { a: 2 } },
      { line: 2, error: 'a comma after the last element, before the closing "]"' },
      { line: 3, error: expect.stringContaining('content after the end of the JSON array') },
      { line: 5, error: expect.stringContaining('content after the end of the JSON array') },
    ]);
  });

  it('reports where a truncated array breaks and what was read before it', async () => {
    expect(await readText('[\n{"a":1},\n{"a":2},\n{"a":')).toEqual([
      { line: 2, element: 1, value: { a: 1 } },
      { line: 3, element: 2, value: { a: 2 } },
      {
        line: 4,
        element: 3,
        error:
          'the file ends (line 4) inside this element, before the array\'s closing "]" (a truncated file?); the 2 element(s) before it were read',
      },
    ]);
    expect(await readText('[{"a":1},\n{"a":2}\n')).toEqual([
      { line: 1, element: 1, value: { a: 1 } },
      { line: 2, element: 2, value: { a: 2 } },
      {
        line: 3,
        error:
          'the file ends without the array\'s closing "]" (a truncated file?); the 2 element(s) before it were read',
      },
    ]);
    // A missing quote puts the rest of the file in a string: reported where that element starts.
    expect(await readText('[{"a":1},\n{"a":"x},\n{"b":1}]\n')).toEqual([
      { line: 1, element: 1, value: { a: 1 } },
      { line: 2, element: 2, error: expect.stringContaining('the file ends (line 4) inside this element') },
    ]);
    // A number cut short still parses; it is not trusted.
    expect(await readText('[1, 23')).toEqual([
      { line: 1, element: 1, value: 1 },
      { line: 1, element: 2, error: expect.stringContaining('the file ends (line 1) inside this element') },
    ]);
  });

  it('reports an element longer than the limit and reads the elements after it', async () => {
    const records = await readText(`[{"a":1},{"a":"${'x'.repeat(MAX_RECORD_CHARS)}"},{"a":3}]`);
    expect(records).toEqual([
      { line: 1, element: 1, value: { a: 1 } },
      { line: 1, element: 2, error: `element is longer than ${MAX_RECORD_CHARS} characters` },
      { line: 1, element: 3, value: { a: 3 } },
    ]);
  });

  // Bad elements whose brackets and quotes balance: each must cost only itself.
  const BAD_ELEMENTS = ['tru', 'nul', '{"a":}', '{"a" 1}', '[1 2]', '{"a":1}}', '{a:1}', "'single'", '01', 'NaN'];

  it('property: every element comes out once, read or reported, with its index and line', async () => {
    const element = fc.oneof(
      fc
        .record({ n: fc.integer(), s: fc.string({ unit: 'grapheme', maxLength: 20 }) })
        .map((value) => ({ value, bad: false as const })),
      fc.constantFrom(...BAD_ELEMENTS).map((text) => ({ text, bad: true as const })),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(element, { maxLength: 30 }),
        fc.constantFrom(0, 2),
        fc.constantFrom('\n', '\r\n'),
        fc.array(fc.nat(), { maxLength: 6 }),
        async (elements, indent, newline, cuts) => {
          const texts = elements.map((e) => (e.bad ? e.text : JSON.stringify(e.value, null, indent)));
          const separator = indent ? `,${newline}` : ',';
          const text = `[${indent ? newline : ''}${texts.join(separator)}${indent ? newline : ''}]`.replaceAll(
            '\n',
            newline,
          );
          const expected: Array<{ line: number; element: number; read: boolean }> = [];
          let line = indent ? 2 : 1;
          texts.forEach((t, i) => {
            expected.push({ line, element: i + 1, read: !elements[i]!.bad });
            line += t.split('\n').length - 1 + (indent ? 1 : 0);
          });
          const records = await readAll(inChunks(text, cuts));
          expect(outline(records)).toEqual(expected);
          for (const record of records) {
            const source = elements[record.element! - 1]!;
            if ('value' in record && !source.bad) expect(record.value).toEqual(source.value);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('property: a truncated array yields the elements before the cut, then one report of the break', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ n: fc.integer(), s: fc.string({ maxLength: 10 }) }), { minLength: 1, maxLength: 20 }),
        fc.constantFrom(0, 2),
        fc.nat(),
        async (values, indent, cutAt) => {
          const separator = indent ? ',\n' : ',';
          let full = indent ? '[\n' : '[';
          const ends: number[] = [];
          values.forEach((value, i) => {
            full += (i ? separator : '') + JSON.stringify(value, null, indent);
            ends.push(full.length);
          });
          full += indent ? '\n]' : ']';
          const cut = 1 + (cutAt % (full.length - 1)); // never the closing "]"
          const records = await readText(full.slice(0, cut));
          const last = records.at(-1)!;
          expect('error' in last && last.error).toMatch(/^the file ends/);
          const read = records.slice(0, -1);
          expect(read.map((r) => ('value' in r ? r.value : r))).toEqual(values.slice(0, read.length));
          // Exactly the elements whose text is complete before the cut were read.
          expect(read).toHaveLength(ends.filter((end) => end <= cut).length);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('streaming', () => {
  /** A source that counts how many of its chunks were taken. */
  function countingSource(chunks: () => Iterable<string>) {
    const state = { taken: 0 };
    const source = Readable.from(
      (function* () {
        for (const chunk of chunks()) {
          state.taken++;
          yield chunk;
        }
      })(),
    );
    return { source, state };
  }

  it('lets go of the input when the caller stops early', async () => {
    const { source } = countingSource(function* () {
      for (let i = 0; i < 20_000; i++) yield `{"i":${i}}\n`;
    });
    const records = readRecords(source);
    await records.next();
    await records.return(undefined);
    expect(source.destroyed).toBe(true);
  });

  it.each([
    [
      'a JSON array',
      function* () {
        yield '[';
        for (let i = 0; i < 20_000; i++) yield `${i ? ',' : ''}{"i":${i}}\n`;
        yield ']';
      },
    ],
    [
      'NDJSON',
      function* () {
        for (let i = 0; i < 20_000; i++) yield `{"i":${i}}\n`;
      },
    ],
  ])('emits the first records of %s before the input is read to its end', async (_name, chunks) => {
    const { source, state } = countingSource(chunks);
    const records = readRecords(source);
    const first = await records.next();
    expect(first.value).toMatchObject({ value: { i: 0 } });
    // The source is still far from exhausted: the reader did not collect the whole input first.
    expect(state.taken).toBeLessThan(1_000);
    let count = 1;
    while (!(await records.next()).done) count++;
    expect(count).toBe(20_000);
  });
});
