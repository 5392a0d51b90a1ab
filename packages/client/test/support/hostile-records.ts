import { makeLogRecords } from './records';

/** 4 KB of text with every character CEF and syslog care about, and some that only look harmless. */
export const HOSTILE_STRINGS = [
  'pipe | in the middle|and at the end|',
  'equals = sign, key=value, a\\=b and =leading',
  'backslash \\ alone, \\\\ doubled, trailing \\',
  'line\nbreaks\r\nand\rcarriage returns\n',
  'tabs\tbetween\twords\t',
  'non-ASCII: Zoë, 東京, Ελληνικά, emoji 🛡️, right-to-left ‮abc',
  'looks like an extension: cs1=evil suser=root msg=x',
  'CEF:0|Fake|Header|1|2|3|10|',
  ' leading and trailing spaces ',
  `${'four kilobytes |=\\\n'.repeat(228)}end`,
];

/** Audit events whose text fields carry the hostile strings (one per field per record). */
export function hostileLogRecords() {
  return makeLogRecords(HOSTILE_STRINGS.length, 100_000).map((record, i) => {
    const hostile = HOSTILE_STRINGS[i]!;
    return {
      ...record,
      action: `Hostile${i} ${hostile}`,
      actorName: hostile,
      resourceName: hostile,
      resourceType: i % 2 === 0 ? 'file' : 'mailbox',
      workload: `Work|load=${i}\\`,
      applicationDisplayName: hostile,
      actorIp: i % 2 === 0 ? `2001:db8::${i + 1}` : null,
    };
  });
}
