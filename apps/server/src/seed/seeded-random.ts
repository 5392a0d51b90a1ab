/**
 * A small, fast, seeded pseudo-random generator, so that seeded data is reproducible: the same
 * seed (and the same anchor time) gives byte-identical rows.
 *
 * sfc32 (Chris Doty-Humphrey's "small fast counting" generator, 128 bits of state) seeded
 * through splitmix32. A 32-bit generator such as mulberry32 would not do: its streams for two
 * seeds are the same sequence shifted, and a million-row load draws ~10^8 numbers, so two
 * loads would overlap often enough to repeat provider ids.
 */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number | string) {
    let s = typeof seed === 'number' ? seed >>> 0 : hashString(seed);
    const splitmix32 = () => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = splitmix32();
    this.b = splitmix32();
    this.c = splitmix32();
    this.d = splitmix32();
    for (let i = 0; i < 12; i++) this.next();
  }

  /** An independent stream for one purpose, so that drawing more of one thing never shifts another. */
  fork(label: string): SeededRandom {
    return new SeededRandom(`${this.nextUint32()}:${label}`);
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Bound to this instance: pass it where a `() => number` PRNG is expected (ulid). */
  readonly prng = (): number => this.next();

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** `count` distinct items (fewer if there are not that many). */
  sample<T>(items: readonly T[], count: number): T[] {
    const pool = [...items];
    const out: T[] = [];
    while (out.length < count && pool.length > 0)
      out.push(pool.splice(Math.floor(this.next() * pool.length), 1)[0] as T);
    return out;
  }

  /** Lower-case hex digits. */
  hex(length: number): string {
    let out = '';
    while (out.length < length) out += this.nextUint32().toString(16).padStart(8, '0');
    return out.slice(0, length);
  }

  digits(length: number): string {
    let out = String(this.int(1, 9));
    while (out.length < length) out += String(this.int(0, 9));
    return out;
  }

  /** A version-4 GUID, as Microsoft ids look. */
  guid(): string {
    const h = this.hex(32);
    const variant = ((parseInt(h[16] as string, 16) & 0x3) | 0x8).toString(16);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }

  /** A roughly log-normal duration: most values near `median`, a long tail up to `max`. */
  skewed(min: number, median: number, max: number): number {
    const normal = this.next() + this.next() + this.next() - 1.5; // ~N(0, 0.5)
    const value = median * Math.exp(normal * 1.6);
    return Math.round(Math.min(max, Math.max(min, value)));
  }
}

/** FNV-1a, to turn a label into a 32-bit seed. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Picks from a fixed weighted list in O(log n): build once, draw millions of times.
 *
 * @example
 *   const severity = new WeightedPicker([['informational', 70], ['low', 25], ['high', 5]]);
 *   severity.pick(random);
 */
export class WeightedPicker<T> {
  private readonly values: T[];
  private readonly cumulative: number[];
  private readonly total: number;

  constructor(entries: ReadonlyArray<readonly [T, number]>) {
    const kept = entries.filter(([, weight]) => weight > 0);
    if (kept.length === 0) throw new Error('WeightedPicker needs at least one positive weight');
    this.values = kept.map(([value]) => value);
    let sum = 0;
    this.cumulative = kept.map(([, weight]) => (sum += weight));
    this.total = sum;
  }

  pick(random: SeededRandom): T {
    const target = random.next() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.cumulative[mid] as number) > target) hi = mid;
      else lo = mid + 1;
    }
    return this.values[lo] as T;
  }
}

/** A fresh seed for a run that was not given one (printed, so that it can be replayed). */
export function randomSeed(): number {
  return Math.floor(Math.random() * 4294967296);
}
