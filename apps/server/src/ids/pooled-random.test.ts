import { describe, expect, it } from 'vitest';
import { decodeTime, isValid, monotonicFactory } from 'ulid';
import { pooledCryptoPrng } from './pooled-random';

describe('pooledCryptoPrng', () => {
  it('yields floats in [0, 1) spread over all 32 ULID characters, across pool refills', () => {
    const prng = pooledCryptoPrng(64);
    const seen = new Array<number>(32).fill(0);
    for (let i = 0; i < 64 * 200; i++) {
      const value = prng();
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
      seen[Math.floor(value * 32)]!++;
    }
    // 12,800 draws: every character comes up, none wildly more than its share (400).
    expect(Math.min(...seen)).toBeGreaterThan(250);
    expect(Math.max(...seen)).toBeLessThan(550);
  });

  it('makes valid, distinct, increasing ULIDs', () => {
    const next = monotonicFactory(pooledCryptoPrng());
    const ids = Array.from({ length: 5_000 }, (_, i) => next(1_795_000_000_000 + Math.floor(i / 100)));
    expect(ids.every((id) => isValid(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(decodeTime(ids[0]!)).toBe(1_795_000_000_000);
  });
});
