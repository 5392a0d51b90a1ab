import type { SeededRandom } from './seeded-random';

const HOUR = 3_600_000;

/** Relative activity by local hour of day: a working day with a lunch dip and a quiet night. */
const HOURLY = [
  0.04, 0.03, 0.03, 0.03, 0.04, 0.08, 0.2, 0.5, 0.9, 1, 1, 0.95, 0.7, 0.9, 1, 1, 0.9, 0.6, 0.35, 0.25, 0.2, 0.15, 0.1,
  0.06,
];

/**
 * How activity spreads over a window of time: busy on weekday office hours (in the
 * organisation's time zone), quiet at night and at weekends, with some day-to-day variation.
 * `at(u)` maps u ∈ [0, 1) to a time through the cumulative activity, so feeding it increasing
 * u gives increasing times: a stream of N events is generated in order without sorting.
 */
export class ActivityTimeline {
  private readonly start: number;
  private readonly end: number;
  private readonly cumulative: Float64Array;
  private readonly total: number;

  constructor(
    random: SeededRandom,
    window: { start: number; end: number },
    /** The organisation's offset from UTC, in hours (Contoso: US Eastern). */
    utcOffsetHours = -5,
  ) {
    this.start = window.start;
    this.end = window.end;
    const hours = Math.max(1, Math.ceil((window.end - window.start) / HOUR));
    this.cumulative = new Float64Array(hours);
    let sum = 0;
    let dayFactor = 1;
    for (let h = 0; h < hours; h++) {
      const local = new Date(window.start + h * HOUR + utcOffsetHours * HOUR);
      const hourOfDay = local.getUTCHours();
      if (h === 0 || hourOfDay === 0) dayFactor = 0.75 + random.next() * 0.5;
      const weekend = local.getUTCDay() === 0 || local.getUTCDay() === 6;
      // The last hour may be partial; weigh it by how much of it is inside the window.
      const fraction = Math.min(1, (window.end - (window.start + h * HOUR)) / HOUR);
      sum += (HOURLY[hourOfDay] as number) * (weekend ? 0.12 : 1) * dayFactor * (0.85 + random.next() * 0.3) * fraction;
      this.cumulative[h] = sum;
    }
    this.total = sum;
  }

  /** The time (epoch ms) at fraction `u` of the window's total activity. */
  at(u: number): number {
    const target = Math.min(Math.max(u, 0), 0.999_999_999) * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.cumulative[mid] as number) > target) hi = mid;
      else lo = mid + 1;
    }
    const before = lo === 0 ? 0 : (this.cumulative[lo - 1] as number);
    const inHour = ((target - before) / ((this.cumulative[lo] as number) - before || 1)) * HOUR;
    return Math.min(this.end - 1, Math.floor(this.start + lo * HOUR + inHour));
  }

  /** A random time in the window, following the activity curve. */
  random(random: SeededRandom): number {
    return this.at(random.next());
  }
}
