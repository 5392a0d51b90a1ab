import { readFileSync } from 'node:fs';
import path from 'node:path';
import { codeBlocksOf, type CodeBlock } from '../../src/markdown';
import { MARKDOWN_PAGES } from '../../src/site-map';
import { GUIDES_DIR } from './paths';

/**
 * The snippet conventions of the guides (see apps/docs/README.md):
 * - ` ```sh ` / ` ```bash ` blocks run in Bash, ` ```ts ` blocks run with tsx, against a live
 *   server, with `$ONESEC_API_KEY` (a real key) and `$TENANT_ID` set; the production and
 *   local base URLs are replaced by the live server's.
 * - ` ```sh no-run ` — not run: installs, starts servers, placeholders. Never for a `curl`.
 * - ` ```sh expect=401 ` — the snippet's last HTTP response is that status (the others succeed).
 * - ` ```bash file=NAME ` — written to NAME in the guide's working folder, not run; later
 *   snippets of the same guide run it.
 * - A ` ```json ` block right after a snippet is its response: the snippet's JSON output must
 *   have every field the example shows, with the same types.
 */
export type SnippetKind = 'shell' | 'typescript';

export interface Snippet {
  guide: string;
  line: number;
  kind: SnippetKind;
  code: string;
  /** `expect=NNN`: the status of the last request. */
  expectStatus: number | undefined;
  /** `file=NAME`: write, don't run. */
  file: string | undefined;
  /** The JSON example following the snippet. */
  exampleJson: string | undefined;
}

const SHELL = new Set(['sh', 'bash', 'shell']);
const TYPESCRIPT = new Set(['ts', 'typescript']);
/** Languages shown but never run: outputs, configuration, other syntaxes. */
export const DISPLAY_ONLY = new Set(['json', 'text', 'sql', 'yaml', 'plaintext']);

export interface GuideCode {
  guide: string;
  blocks: CodeBlock[];
  snippets: Snippet[];
}

export function readGuideCode(): GuideCode[] {
  return MARKDOWN_PAGES.map(({ slug }) => {
    const blocks = codeBlocksOf(readFileSync(path.join(GUIDES_DIR, `${slug}.md`), 'utf8'));
    const snippets = blocks.flatMap((block): Snippet[] => {
      const { language, flags, attributes } = block.info;
      const kind: SnippetKind | undefined = SHELL.has(language) ? 'shell' : TYPESCRIPT.has(language) ? 'typescript' : undefined;
      if (!kind || flags.has('no-run')) return [];
      const expect = attributes.get('expect');
      return [
        {
          guide: slug,
          line: block.line,
          kind,
          code: block.code,
          expectStatus: expect === undefined ? undefined : Number(expect),
          file: attributes.get('file'),
          exampleJson: block.followedBy?.info.language === 'json' ? block.followedBy.code : undefined,
        },
      ];
    });
    return { guide: slug, blocks, snippets };
  });
}

/** The production and local-development origins the guides use, replaced by the live server's. */
const DOCUMENTED_ORIGINS = ['https://api.1security.ai', 'http://localhost:4001'];

export function withLiveOrigin(code: string, origin: string): string {
  return DOCUMENTED_ORIGINS.reduce((text, documented) => text.split(documented).join(origin), code);
}

/** The last JSON value a snippet printed: its whole output, else its last line. */
export function jsonOutputOf(stdout: string): unknown {
  const text = stdout.trim();
  try {
    return JSON.parse(text);
  } catch {
    const lastLine = text.split('\n').pop() ?? '';
    return JSON.parse(lastLine);
  }
}

type JsonKind = 'null' | 'array' | 'object' | 'string' | 'number' | 'boolean';
const kindOf = (value: unknown): JsonKind =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : (typeof value as JsonKind);

/**
 * Where `actual` lacks the shape of the documented `example`: every field the example shows
 * must be there with the same JSON type (null in the example matches anything: it documents a
 * nullable field; a field the server sends as null matches any documented type). Arrays are
 * compared by their first elements. Returns the mismatches, empty when it fits.
 */
export function shapeMismatches(example: unknown, actual: unknown, at = '$'): string[] {
  const expected = kindOf(example);
  const got = kindOf(actual);
  if (expected === 'null' || got === 'null') return [];
  if (expected !== got) return [`${at}: the example shows ${expected}, the API returned ${got}`];
  if (expected === 'array') {
    const [first] = example as unknown[];
    if (first === undefined) return [];
    const [actualFirst] = actual as unknown[];
    if (actualFirst === undefined) return [`${at}: the example shows items, the API returned none (is the test tenant seeded?)`];
    return shapeMismatches(first, actualFirst, `${at}[0]`);
  }
  if (expected === 'object') {
    return Object.entries(example as Record<string, unknown>).flatMap(([key, value]) =>
      key in (actual as Record<string, unknown>)
        ? shapeMismatches(value, (actual as Record<string, unknown>)[key], `${at}.${key}`)
        : [`${at}.${key}: in the example, missing from the API's response`],
    );
  }
  return [];
}
