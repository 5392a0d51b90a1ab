import { MAX_RECORD_CHARS, type InputRecord } from './input-record';

const NEWLINE = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

/**
 * A JSON array file, streamed one element at a time. The scan only finds where each element
 * starts and ends (strings, escapes and bracket depth); each element's text is then parsed
 * by JSON.parse on its own, so a malformed element is reported with its index and line and
 * the elements after it are still read. Only the current element is held in memory, and no
 * more than MAX_RECORD_CHARS of it. (A streaming tokenizer such as stream-json was the other
 * way; its parser gives no line or offset for a value or an error, and stops at the first
 * malformed element, so it could neither say where a record is nor read past a bad one.)
 *
 * Where the array itself is broken the break is reported where it is: an element the file
 * ends inside (a truncated export), a missing closing "]", an empty slot (`,,` or a comma
 * before "]"), and every line after the closing "]" that is not blank.
 *
 * A string runs to its closing quote as JSON has it, even across a raw line break (which
 * JSON.parse then rejects in that element alone). A quote that is missing altogether puts
 * the rest of the file in one string: that is reported as the file ending inside the
 * element where it happened.
 */
export async function* readJsonArray(text: AsyncIterable<string>): AsyncGenerator<InputRecord> {
  let line = 1;
  let depth = 0; // 1 = inside the array between elements or in a scalar element
  let closed = false;
  let inString = false;
  let escaped = false;

  let element = 1;
  let elementLine = 1;
  let hasContent = false;
  let lastSignificant = 0;
  let pieces: string[] = [];
  let length = 0;
  let trailingOnLine = false;

  const append = (piece: string) => {
    length += piece.length;
    if (length <= MAX_RECORD_CHARS) pieces.push(piece);
    else pieces = [];
  };
  const parseElement = (): InputRecord => {
    const at = { line: elementLine, element };
    if (length > MAX_RECORD_CHARS) return { ...at, error: `element is longer than ${MAX_RECORD_CHARS} characters` };
    try {
      return { ...at, value: JSON.parse(pieces.join('')) };
    } catch (err) {
      return { ...at, error: `not valid JSON (${(err as Error).message})` };
    }
  };
  const nextElement = () => {
    element++;
    hasContent = false;
    pieces = [];
    length = 0;
  };
  /** The element a top-level "," or the closing "]" ends, if there is one to report. */
  const endElement = (by: 'comma' | 'bracket'): InputRecord | undefined => {
    if (hasContent) return parseElement();
    if (by === 'comma') return { line, element, error: 'empty element (a comma with no value before it)' };
    if (element > 1) return { line, error: 'a comma after the last element, before the closing "]"' };
    return undefined; // []
  };

  for await (const chunk of text) {
    let segmentStart = 0;
    for (let i = 0; i < chunk.length; i++) {
      const code = chunk.charCodeAt(i);
      if (closed) {
        if (code === NEWLINE) {
          if (trailingOnLine)
            yield { line, error: 'content after the end of the JSON array (the file holds one array)' };
          trailingOnLine = false;
          line++;
        } else if (!isWhitespace(code)) trailingOnLine = true;
        continue;
      }
      if (inString) {
        if (code === NEWLINE) line++;
        if (escaped) escaped = false;
        else if (code === BACKSLASH) escaped = true;
        else if (code === QUOTE) inString = false;
        continue;
      }
      if (code === NEWLINE) {
        line++;
        continue;
      }
      if (isWhitespace(code)) continue;
      if (depth === 0) {
        // The first significant character is "[" (that is how the file was recognised).
        depth = 1;
        segmentStart = i + 1;
        continue;
      }
      if (depth === 1 && (code === COMMA || code === CLOSE_BRACKET)) {
        if (length <= MAX_RECORD_CHARS) append(chunk.slice(segmentStart, i));
        const record = endElement(code === COMMA ? 'comma' : 'bracket');
        if (record) yield record;
        nextElement();
        segmentStart = i + 1;
        if (code === CLOSE_BRACKET) {
          depth = 0;
          closed = true;
        }
        continue;
      }
      if (!hasContent) {
        hasContent = true;
        elementLine = line;
      }
      lastSignificant = code;
      if (code === QUOTE) inString = true;
      else if (code === OPEN_BRACE || code === OPEN_BRACKET) depth++;
      // A stray closer at depth 1 stays in the element's text, where JSON.parse rejects it.
      else if ((code === CLOSE_BRACE || code === CLOSE_BRACKET) && depth > 1) depth--;
    }
    if (depth >= 1 && length <= MAX_RECORD_CHARS) append(chunk.slice(segmentStart));
  }

  if (closed) {
    if (trailingOnLine) yield { line, error: 'content after the end of the JSON array (the file holds one array)' };
    return;
  }
  const readBefore = `the ${element - 1} element(s) before it were read`;
  if (hasContent) {
    // A number can be cut and still parse (`123` cut to `12`); a value that ends with its own
    // closing bracket or quote cannot.
    const complete = depth === 1 && !inString && [CLOSE_BRACE, CLOSE_BRACKET, QUOTE].includes(lastSignificant);
    const record = complete ? parseElement() : undefined;
    if (!record || !('value' in record)) {
      yield {
        line: elementLine,
        element,
        error: `the file ends (line ${line}) inside this element, before the array's closing "]" (a truncated file?); ${readBefore}`,
      };
      return;
    }
    yield record;
  }
  yield {
    line,
    error: `the file ends without the array's closing "]" (a truncated file?); the ${hasContent ? element : element - 1} element(s) before it were read`,
  };
}
