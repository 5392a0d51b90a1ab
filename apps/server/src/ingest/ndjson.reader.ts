import { MAX_RECORD_CHARS, type InputRecord } from './input-record';

const SIGNIFICANT = /[^ \t\r]/;

/**
 * NDJSON: one JSON value per line, lines split on "\n" (a "\r" before it is whitespace). Only
 * the current line is held, and no more than MAX_RECORD_CHARS of it: a longer line is
 * reported without being kept. Lines of nothing but whitespace are skipped; every other
 * line is a record or an error with its number.
 */
export async function* readNdjson(text: AsyncIterable<string>): AsyncGenerator<InputRecord> {
  let line = 1;
  let pieces: string[] = [];
  let length = 0;
  let significant = false;

  const append = (piece: string) => {
    if (piece.length === 0) return;
    length += piece.length;
    if (!significant && SIGNIFICANT.test(piece)) significant = true;
    if (length <= MAX_RECORD_CHARS) pieces.push(piece);
    else pieces = [];
  };
  const finishLine = (): InputRecord | undefined => {
    const whole = pieces.join('');
    const tooLong = length > MAX_RECORD_CHARS;
    const wasSignificant = significant;
    pieces = [];
    length = 0;
    significant = false;
    if (!wasSignificant) return undefined;
    if (tooLong) return { line, error: `line is longer than ${MAX_RECORD_CHARS} characters` };
    try {
      return { line, value: JSON.parse(whole) };
    } catch (err) {
      return { line, error: `not valid JSON (${(err as Error).message})` };
    }
  };

  for await (const chunk of text) {
    let start = 0;
    for (let newline = chunk.indexOf('\n'); newline !== -1; newline = chunk.indexOf('\n', start)) {
      append(chunk.slice(start, newline));
      const record = finishLine();
      if (record) yield record;
      line++;
      start = newline + 1;
    }
    append(chunk.slice(start));
  }
  const last = finishLine();
  if (last) yield last;
}
