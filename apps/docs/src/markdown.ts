import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import json from 'highlight.js/lib/languages/json';
import plaintext from 'highlight.js/lib/languages/plaintext';
import typescript from 'highlight.js/lib/languages/typescript';
import yaml from 'highlight.js/lib/languages/yaml';
import { Marked, type Token, type Tokens } from 'marked';
import { markedHighlight } from 'marked-highlight';
import { htmlFileOf } from './site-map';

hljs.registerLanguage('bash', bash);
hljs.registerLanguage('sh', bash);
hljs.registerLanguage('json', json);
hljs.registerLanguage('typescript', typescript);
hljs.registerLanguage('ts', typescript);
hljs.registerLanguage('yaml', yaml);
hljs.registerLanguage('plaintext', plaintext);
hljs.registerLanguage('text', plaintext);

/**
 * A fenced block's info string: the language, then flags. ` ```sh no-run ` is a shell
 * block the snippet tests leave alone; ` ```sh expect=401 ` is one whose (last) HTTP
 * response is meant to be that error status.
 */
export interface CodeInfo {
  language: string;
  flags: Set<string>;
  attributes: Map<string, string>;
}

export function parseInfoString(info: string | undefined): CodeInfo {
  const [language = '', ...rest] = (info ?? '').trim().split(/\s+/);
  const flags = new Set<string>();
  const attributes = new Map<string, string>();
  for (const word of rest) {
    const eq = word.indexOf('=');
    if (eq > 0) attributes.set(word.slice(0, eq), word.slice(eq + 1));
    else if (word) flags.add(word);
  }
  return { language: language.toLowerCase(), flags, attributes };
}

/** The anchor id a heading gets: lower case, words joined by dashes (GitHub's style). */
export function slugify(text: string): string {
  return text
    .toLowerCase()
    .replace(/<[^>]+>/g, '')
    .replace(/&[a-z]+;/g, '')
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .trim()
    .replace(/\s+/g, '-');
}

/**
 * Wraps each line of highlighted code in `<span class="line">`, closing the highlighter's spans
 * at the end of a line and opening them again on the next, so that the stylesheet can indent
 * the continuation of a wrapped line. The newlines stay between the spans: the text a reader
 * copies is the code, unchanged.
 */
export function inLineSpans(html: string): string {
  const open: string[] = [];
  return html
    .split('\n')
    .map((line) => {
      const reopened = open.join('');
      for (const [tag] of line.matchAll(/<span[^>]*>|<\/span>/g)) {
        if (tag === '</span>') open.pop();
        else open.push(tag);
      }
      return `<span class="line">${reopened}${line}${'</span>'.repeat(open.length)}</span>`;
    })
    .join('\n');
}

/** A link to another guide, written as GitHub would resolve it: `pagination.md#cursors`. */
const GUIDE_LINK = /^([a-z0-9-]+)\.md(#[\w-]*)?$/;

export interface RenderedMarkdown {
  /** The first `#` heading, as plain text. */
  title: string;
  html: string;
  /** Every relative link target in the page, after rewriting (for the build's link check). */
  links: string[];
  /** Every heading's id, to check links into this page. */
  anchors: string[];
  /** The `##` sections, for the page's table of contents. */
  sections: { id: string; text: string }[];
}

/** Renders one guide to an HTML fragment: highlighted code, heading anchors, `.md` links → `.html`. */
export function renderMarkdown(source: string): RenderedMarkdown {
  const links: string[] = [];
  const sections: { id: string; text: string }[] = [];
  const anchors: string[] = [];
  const marked = new Marked(
    markedHighlight({
      emptyLangClass: 'hljs',
      langPrefix: 'hljs language-',
      highlight(code, lang) {
        const language = hljs.getLanguage(lang) ? lang : 'plaintext';
        return inLineSpans(hljs.highlight(code, { language }).value);
      },
    }),
    {
      gfm: true,
      walkTokens(token: Token) {
        if (token.type !== 'link') return;
        const link = token as Tokens.Link;
        const guide = GUIDE_LINK.exec(link.href);
        if (guide) link.href = `${htmlFileOf(guide[1]!)}${guide[2] ?? ''}`;
        if (!/^[a-z][a-z0-9+.-]*:/i.test(link.href) && !link.href.startsWith('#')) links.push(link.href);
      },
      renderer: {
        heading({ tokens, depth }) {
          const inner = this.parser.parseInline(tokens);
          const id = slugify(inner);
          anchors.push(id);
          if (depth === 2) sections.push({ id, text: inner.replace(/<[^>]+>/g, '') });
          return `<h${depth} id="${id}"><a class="anchor" href="#${id}" aria-hidden="true">#</a>${inner}</h${depth}>\n`;
        },
      },
    },
  );
  const h1 = new Marked().lexer(source).find((t): t is Tokens.Heading => t.type === 'heading' && t.depth === 1);
  if (!h1) throw new Error('a guide must start with a "# Title" heading');
  // parse(), not lexer() + parser(): only parse() runs walkTokens (link rewriting, highlighting).
  const html = marked.parse(source, { async: false });
  return { title: h1.text.replace(/`/g, ''), html, links, anchors, sections };
}

/** One fenced code block of a guide, in document order, with what follows it. */
export interface CodeBlock {
  info: CodeInfo;
  code: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The next code block, when nothing but blank lines separates the two (an example response). */
  followedBy?: { info: CodeInfo; code: string };
}

/** Every fenced code block of a Markdown document (parsed by the same lexer the site uses), nested ones included. */
export function codeBlocksOf(source: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  let searchFrom = 0;
  const lineOf = (code: Tokens.Code): number => {
    // A nested block's raw text is de-indented: find its first line of code, one below the fence.
    const fence = source.indexOf(code.raw.trimStart(), searchFrom);
    const found = fence >= 0 ? fence : source.indexOf(code.text, searchFrom);
    if (found < 0) return 0;
    searchFrom = found + 1;
    return source.slice(0, found).split('\n').length - (fence >= 0 ? 0 : 1);
  };
  const visit = (tokens: Token[]): void => {
    let previous: CodeBlock | undefined;
    for (const token of tokens) {
      if (token.type === 'space') continue;
      if (token.type === 'code' && (token as Tokens.Code).codeBlockStyle !== 'indented') {
        const code = token as Tokens.Code;
        const block: CodeBlock = { info: parseInfoString(code.lang), code: code.text, line: lineOf(code) };
        if (previous) previous.followedBy = { info: block.info, code: block.code };
        blocks.push(block);
        previous = block;
        continue;
      }
      previous = undefined;
      const children = [
        ...('tokens' in token && Array.isArray(token.tokens) ? [token.tokens as Token[]] : []),
        ...('items' in token && Array.isArray(token.items) ? (token.items as Tokens.ListItem[]).map((item) => item.tokens) : []),
      ];
      for (const child of children) visit(child);
    }
  };
  visit(new Marked().lexer(source));
  return blocks;
}
