/**
 * One input record and where it came from, or why it could not be read. `line` is 1-based;
 * in a JSON array file it is the line the element starts on and `element` is its 1-based
 * index in the array (a minified array is all on line 1).
 */
export type InputRecord =
  { line: number; element?: number; value: unknown } | { line: number; element?: number; error: string };

/** The longest line (NDJSON) or element (JSON array) kept in memory; longer ones are reported. */
export const MAX_RECORD_CHARS = 1_000_000;
