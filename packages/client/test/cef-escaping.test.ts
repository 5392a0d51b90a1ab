import { describe, expect, it } from 'vitest';
import {
  CEF_MAPPINGS,
  escapeCefExtensionValue,
  escapeCefHeader,
  formatCef,
  labelKeyOf,
  type CefMapping,
} from '../src/cli/cef.format';
import type { ResourceItem } from '../src/cli/resource.registry';
import { HOSTILE_STRINGS } from './support/hostile-records';
import { SAMPLE_CONTEXT, SAMPLE_LOG, SAMPLES } from './support/format-samples';

/**
 * A reference CEF reader written from the ArcSight CEF specification (Implementing ArcSight
 * CEF, "Character Encoding"), strict where the spec is: in the header only `\|` and `\\` are
 * escapes; in the extension only `\=`, `\\`, `\n` and `\r`; an unescaped `=` always ends a
 * key; any other backslash sequence is an error. It is checked first against the spec's own
 * examples, then used to read back what onesec writes.
 */
function unescapeHeader(field: string): string {
  return field.replace(/\\(.)/gs, (_m, ch: string) => {
    if (ch === '|' || ch === '\\') return ch;
    throw new Error(`invalid header escape \\${ch}`);
  });
}

function unescapeExtension(value: string): string {
  if (/(^|[^\\])(\\\\)*\\$/.test(value)) throw new Error('dangling backslash in an extension value');
  return value.replace(/\\(.)/gs, (_m, ch: string) => {
    if (ch === '=' || ch === '\\') return ch;
    if (ch === 'n') return '\n';
    if (ch === 'r') return '\r';
    throw new Error(`invalid extension escape \\${ch}`);
  });
}

export function parseCefReference(line: string): { header: string[]; extensions: Array<[string, string]> } {
  if (/[\r\n]/.test(line)) throw new Error('a CEF record is one line');
  const header: string[] = [];
  let current = '';
  let i = 0;
  for (; i < line.length && header.length < 7; i++) {
    const ch = line[i]!;
    if (ch === '\\') {
      current += ch + (line[i + 1] ?? '');
      i++;
    } else if (ch === '|') {
      header.push(current);
      current = '';
    } else current += ch;
  }
  if (header.length !== 7) throw new Error('a CEF header has 7 fields');
  const extension = line.slice(i);
  // Unescaped `=` signs, skipping escaped characters.
  const equals: number[] = [];
  for (let j = 0; j < extension.length; j++) {
    if (extension[j] === '\\') j++;
    else if (extension[j] === '=') equals.push(j);
  }
  const keys = equals.map((at) => {
    const match = /(?:^| )([A-Za-z0-9_]+)$/.exec(extension.slice(0, at));
    if (!match) throw new Error(`an unescaped = at ${at} without a key before it`);
    return { key: match[1]!, keyStart: at - match[1]!.length, valueStart: at + 1 };
  });
  const extensions = keys.map((k, n): [string, string] => {
    const end = n + 1 < keys.length ? keys[n + 1]!.keyStart - 1 : extension.length;
    return [k.key, unescapeExtension(extension.slice(k.valueStart, end))];
  });
  return { header: header.map(unescapeHeader), extensions };
}

describe('the reference CEF reader', () => {
  it("reads the CEF specification's own escaping examples as the specification says", () => {
    expect(
      parseCefReference(
        'CEF:0|security|threatmanager|1.0|100|detected a \\| in message|10|src=10.0.0.1 act=blocked a | dst=1.1.1.1',
      ),
    ).toEqual({
      header: ['CEF:0', 'security', 'threatmanager', '1.0', '100', 'detected a | in message', '10'],
      extensions: [
        ['src', '10.0.0.1'],
        ['act', 'blocked a |'],
        ['dst', '1.1.1.1'],
      ],
    });
    expect(
      parseCefReference(
        'CEF:0|security|threatmanager|1.0|100|detected a \\\\ in packet|10|src=10.0.0.1 act=blocked a \\\\ dst=1.1.1.1',
      ),
    ).toEqual({
      header: ['CEF:0', 'security', 'threatmanager', '1.0', '100', 'detected a \\ in packet', '10'],
      extensions: [
        ['src', '10.0.0.1'],
        ['act', 'blocked a \\'],
        ['dst', '1.1.1.1'],
      ],
    });
    expect(
      parseCefReference(
        'CEF:0|security|threatmanager|1.0|100|detected a = in message|10|src=10.0.0.1 act=blocked a \\= dst=1.1.1.1',
      ),
    ).toEqual({
      header: ['CEF:0', 'security', 'threatmanager', '1.0', '100', 'detected a = in message', '10'],
      extensions: [
        ['src', '10.0.0.1'],
        ['act', 'blocked a ='],
        ['dst', '1.1.1.1'],
      ],
    });
    expect(
      parseCefReference(
        'CEF:0|ArcSight|ArcSight|2.4.1|machine:20|New alert|High|msg=Detected a threat.\\n No action needed.',
      ).extensions,
    ).toEqual([['msg', 'Detected a threat.\n No action needed.']]);
    expect(parseCefReference('CEF:0|Vendor|Product|1|sig|name|5|fname=a b c.txt suser=x').extensions).toEqual([
      ['fname', 'a b c.txt'],
      ['suser', 'x'],
    ]);
  });

  it('rejects what the specification does not allow: an unescaped = in a value, an unknown escape, a pipe escape in the extension', () => {
    expect(() => parseCefReference('CEF:0|a|b|c|d|e|1|msg=x =y')).toThrow(/without a key/);
    expect(() => parseCefReference('CEF:0|a|b|c|d|e|1|msg=tab\\t')).toThrow(/invalid extension escape/);
    expect(() => parseCefReference('CEF:0|a|b|c|d|e|1|msg=a\\|b')).toThrow(/invalid extension escape/);
    expect(() => parseCefReference('CEF:0|a|b|c|d\\=|e|1|msg=x')).toThrow(/invalid header escape/);
    // An unescaped `=` after a word makes the reader see a key that was never written.
    expect(parseCefReference('CEF:0|a|b|c|d|e|1|msg=x cs1=y').extensions).toHaveLength(2);
  });
});

function expectedExtensions(entry: ResourceItem): Array<[string, string]> {
  const mapping = CEF_MAPPINGS[entry.resource] as CefMapping<typeof entry.item>;
  const pairs: Array<[string, string]> = [];
  for (const extension of mapping.extensions) {
    const value = extension.value(entry.item, SAMPLE_CONTEXT);
    if (value === null || value === undefined) continue;
    if (extension.label !== undefined) pairs.push([labelKeyOf(extension.key), extension.label]);
    pairs.push([extension.key, String(value)]);
  }
  return pairs;
}

describe("onesec's CEF, read back by the reference reader", () => {
  it('every hostile string survives, in every extension of every resource and in the header', () => {
    const hostile = [
      ...HOSTILE_STRINGS,
      'x'.repeat(4096),
      '=',
      '\\',
      '\\=',
      '\\n',
      'a=b c=d',
      'end with backslash\\',
      ' ',
    ];
    for (const text of hostile) {
      const entry: ResourceItem = {
        resource: 'logs',
        item: {
          ...SAMPLE_LOG,
          action: text,
          actorName: text,
          resourceName: text,
          workload: text,
          applicationDisplayName: text,
          resourceType: 'file',
        },
      };
      const line = formatCef(entry, SAMPLE_CONTEXT);
      const parsed = parseCefReference(line);
      // The header keeps everything but line breaks, which it cannot carry: they become spaces.
      expect(parsed.header[4], JSON.stringify(text)).toBe(text.replace(/\r\n|[\r\n]/g, ' '));
      expect(parsed.header[5]).toBe(text.replace(/\r\n|[\r\n]/g, ' '));
      expect(parsed.extensions, JSON.stringify(text)).toEqual(expectedExtensions(entry));
    }
    for (const entry of SAMPLES)
      expect(parseCefReference(formatCef(entry, SAMPLE_CONTEXT)).extensions).toEqual(expectedExtensions(entry));
  });

  it('round-trips random strings over the characters that matter (seeded)', () => {
    const alphabet = ['a', ' ', '=', '\\', '|', '\n', '\r', '\t', 'n', 'r', 'é', '東', '🛡️', 'k='];
    let seed = 17;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let n = 0; n < 2000; n++) {
      const text = Array.from(
        { length: 1 + Math.floor(random() * 24) },
        () => alphabet[Math.floor(random() * alphabet.length)],
      ).join('');
      const record = `CEF:0|v|p|1|${escapeCefHeader('sig')}|name|1|msg=${escapeCefExtensionValue(text)} cs1=${escapeCefExtensionValue(text)}`;
      expect(parseCefReference(record).extensions, JSON.stringify(text)).toEqual([
        ['msg', text],
        ['cs1', text],
      ]);
    }
  });

  it('fails on the escaping bugs it is meant to catch', () => {
    const buggy: Array<(v: string) => string> = [
      (v) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r'), // forgets =
      (v) => v.replace(/=/g, '\\=').replace(/\n/g, '\\n').replace(/\r/g, '\\r'), // forgets \
      (v) => v.replace(/=/g, '\\=').replace(/\\/g, '\\\\').replace(/\n/g, '\\n'), // wrong order
      (v) => v.replace(/[\\=]/g, (c) => `\\${c}`), // leaves raw line breaks
      (v) => v.replace(/[\\=|]/g, (c) => `\\${c}`).replace(/\n/g, '\\n'), // escapes the pipe, as only the header may
    ];
    for (const escape of buggy) {
      const caught = HOSTILE_STRINGS.some((text) => {
        try {
          const parsed = parseCefReference(`CEF:0|v|p|1|s|n|1|msg=${escape(text)} cs1=ok`);
          return (
            JSON.stringify(parsed.extensions) !==
            JSON.stringify([
              ['msg', text],
              ['cs1', 'ok'],
            ])
          );
        } catch {
          return true;
        }
      });
      expect(caught, escape.toString()).toBe(true);
    }
  });
});
