import { setFlagsFromString } from 'node:v8';

/**
 * Keeps a busy process's heap near what it holds. Between full collections V8 lets the old
 * generation grow by up to 4× the live size, and both the server and a long ingest allocate
 * steadily (a 1,000-item page is ~3 MB of rows, strings and JSON; an ingest parses, normalises
 * and encodes every record), so garbage piled up to hundreds of MB of RSS before a collection:
 * the ingest CLI reached 375 MB, the server 310 MB under 16 concurrent 1,000-item pages
 * (BENCHMARKS.md, sections 6 and 8). A growing factor of 2 (V8's own range is 1.1 to 4) bounds
 * that. It caps nothing: a burst, a big record or a big batch still gets all the memory it
 * needs. V8 reads the factor at each full collection, so it can be set after start; an
 * operator's own `--heap-growing-percent` node flag wins.
 */
export function boundHeapGrowth(): void {
  const given = process.execArgv.some((flag) => /heap[-_]growing[-_]percent/.test(flag));
  if (!given) setFlagsFromString('--heap-growing-percent=100');
}
