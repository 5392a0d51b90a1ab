import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

/** One input record and where it came from, or why it could not be read. */
export type InputRecord = { line: number; value: unknown } | { line: number; error: string };

const MAX_LINE_CHARS = 1_000_000;

/**
 * Reads records from NDJSON (one JSON value per line, streamed: memory stays flat whatever
 * the file size) or from a JSON array file (`[ {...}, {...} ]`, read whole; each element is
 * numbered as "line" = its 1-based index). Blank lines are skipped. A line that is not JSON
 * is reported with its number; the lines around it still come through.
 */
export async function* readRecords(input: Readable): AsyncGenerator<InputRecord> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNumber = 0;
  let arrayText: string[] | undefined;
  for await (const rawLine of lines) {
    lineNumber++;
    if (arrayText) {
      arrayText.push(rawLine);
      continue;
    }
    const line = rawLine.trim();
    if (line.length === 0) continue;
    if (lineNumber === 1 || (arrayText === undefined && line.startsWith('['))) {
      if (line.startsWith('[')) {
        arrayText = [rawLine];
        continue;
      }
    }
    if (line.length > MAX_LINE_CHARS) {
      yield { line: lineNumber, error: `line is longer than ${MAX_LINE_CHARS} characters` };
      continue;
    }
    try {
      yield { line: lineNumber, value: JSON.parse(line) };
    } catch (err) {
      yield { line: lineNumber, error: `not valid JSON (${(err as Error).message})` };
    }
  }
  if (arrayText) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(arrayText.join('\n'));
    } catch (err) {
      yield { line: 1, error: `the file starts with "[" but is not a valid JSON array (${(err as Error).message})` };
      return;
    }
    if (!Array.isArray(parsed)) {
      yield { line: 1, error: 'expected a JSON array' };
      return;
    }
    for (const [index, value] of parsed.entries()) yield { line: index + 1, value };
  }
}

/** A file path, or `-` for standard input. */
export function openInput(pathOrDash: string): Readable {
  return pathOrDash === '-' ? process.stdin : createReadStream(pathOrDash);
}
