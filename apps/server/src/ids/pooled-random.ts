import { randomFillSync } from 'node:crypto';

/**
 * A ulid PRNG (a float in [0, 1)) drawing from the OS's cryptographic random source 64 KB
 * at a time. ulid's default asks the OS for one byte per character — 16 system calls per id —
 * which was 6% of an ingest's CPU. Each byte still comes from `crypto.randomFillSync`.
 */
export function pooledCryptoPrng(poolBytes = 65_536): () => number {
  const pool = Buffer.alloc(poolBytes);
  let next = poolBytes;
  return () => {
    if (next === poolBytes) {
      randomFillSync(pool);
      next = 0;
    }
    // ulid keeps Math.floor(value * 32): a byte / 256 gives each of the 32 characters 8 bytes.
    return pool[next++]! / 256;
  };
}
