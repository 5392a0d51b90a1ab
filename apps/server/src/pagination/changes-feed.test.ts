import { describe, expect, it } from 'vitest';
import { inFeedOrder } from './changes-feed';

const row = (txid: string, seq: string) => ({ txid, seq });

describe('inFeedOrder', () => {
  it('keeps rows already in (txid, seq) order as they are, the same array', () => {
    const rows = [row('9', '5'), row('10', '1'), row('10', '2'), row('100', '0')];
    expect(inFeedOrder(rows)).toBe(rows);
    expect(inFeedOrder([])).toEqual([]);
  });

  it('sorts rows that are not, comparing the decimals as numbers (9 before 10, not after)', () => {
    const rows = [row('10', '2'), row('9', '11'), row('10', '1'), row('9', '9'), row('18446744073709551615', '1')];
    expect(inFeedOrder(rows)).toEqual([
      row('9', '9'),
      row('9', '11'),
      row('10', '1'),
      row('10', '2'),
      row('18446744073709551615', '1'),
    ]);
  });
});
