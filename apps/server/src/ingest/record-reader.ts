import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { InputRecord } from './input-record';
import { readJsonArray } from './json-array.reader';
import { readNdjson } from './ndjson.reader';

export { MAX_RECORD_CHARS, type InputRecord } from './input-record';

/**
 * Reads records from NDJSON (one JSON value per line) or from a JSON array file
 * (`[ {...}, {...} ]`), both streamed: memory stays flat whatever the file size. The format
 * is decided by the first character that is not whitespace (after a UTF-8 byte order
 * mark): `[` is a JSON array, anything else NDJSON, so a line in the middle never changes
 * how the file is read. Every line (NDJSON) or element (array) that is not blank comes out
 * as a record or as an error naming it; nothing is dropped unreported.
 */
export async function* readRecords(input: Readable): AsyncGenerator<InputRecord> {
  const chunks = decodeText(input)[Symbol.asyncIterator]();
  // Chunks read while looking for the first significant character, handed on unchanged.
  const seen: string[] = [];
  let first: string | undefined;
  while (first === undefined) {
    const next = await chunks.next();
    if (next.done) break;
    let text = next.value;
    if (seen.length === 0 && text.startsWith('\uFEFF')) text = text.slice(1);
    seen.push(text);
    first = /[^ \t\r\n]/.exec(text)?.[0];
  }
  async function* replay(): AsyncGenerator<string> {
    try {
      yield* seen;
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value;
    } finally {
      // A reader stopped early (the database went away) lets go of the input.
      await chunks.return?.(undefined);
    }
  }
  yield* first === '[' ? readJsonArray(replay()) : readNdjson(replay());
}

/** UTF-8 text in chunks as they arrive; a character split across two chunks is joined. */
async function* decodeText(input: Readable): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    if (text.length > 0) yield text;
  }
  const rest = decoder.end();
  if (rest.length > 0) yield rest;
}

/** Why an input cannot be read at all, in the operator's terms. */
export class InputUnreadableError extends Error {
  override name = 'InputUnreadableError';
}

/**
 * A file path, or `-` for standard input. Checks up front what would otherwise surface as a
 * raw error in the middle of the run (a missing path, a directory, no permission).
 */
export async function openInput(pathOrDash: string, shownAs = pathOrDash): Promise<Readable> {
  if (pathOrDash === '-') return process.stdin;
  let info;
  try {
    info = await stat(pathOrDash);
  } catch (err) {
    throw unreadable(err, shownAs);
  }
  if (info.isDirectory()) throw new InputUnreadableError(`${shownAs} is a directory, not a file`);
  const stream = createReadStream(pathOrDash);
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (err) => reject(unreadable(err, shownAs)));
  });
  return stream;
}

function unreadable(err: unknown, shownAs: string): InputUnreadableError {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'ENOENT') return new InputUnreadableError(`No such file: ${shownAs}`);
  if (e.code === 'EACCES') return new InputUnreadableError(`Cannot read ${shownAs}: permission denied`);
  return new InputUnreadableError(`Cannot read ${shownAs}: ${e.message}`);
}
