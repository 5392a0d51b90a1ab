/** The site's build pieces: Markdown rendering, snippet extraction, the shape check, serving. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { generateOpenApiDocument } from '@1security/contract/openapi';
import { describe, expect, it } from 'vitest';
import { docsContentSecurityPolicy, docsDirectory } from '../serve';
import { codeBlocksOf, inLineSpans, parseInfoString, renderMarkdown } from '../src/markdown';
import { referenceTargets } from '../src/reference-page';
import { MARKDOWN_PAGES } from '../src/site-map';
import { DIST_DIR, GUIDES_DIR } from './support/paths';
import { jsonOutputOf, shapeMismatches, withLiveOrigin } from './support/snippets';

describe('renderMarkdown', () => {
  it('rewrites links between guides to the published pages, and gives headings anchors', () => {
    const { title, html, links, anchors, sections } = renderMarkdown(
      '# Hello `world`\n\nSee [pagination](pagination.md#cursors), [home](overview.md) and [the API](https://example.com).\n\n## First part\n',
    );
    expect(title).toBe('Hello world');
    expect(html).toContain('href="pagination.html#cursors"');
    expect(html).toContain('href="index.html"');
    expect(links).toEqual(['pagination.html#cursors', 'index.html']);
    expect(anchors).toEqual(['hello-world', 'first-part']);
    expect(sections).toEqual([{ id: 'first-part', text: 'First part' }]);
  });

  it('highlights code at build time and keeps the language class', () => {
    const { html } = renderMarkdown('# T\n\n```sh no-run\ncurl -H "X: y" https://example.com\n```\n');
    expect(html).toContain('class="hljs language-sh"');
    expect(html).toContain('hljs-string');
  });

  it('wraps each line of code in its own span, the highlighter’s spans closed and reopened across lines', () => {
    const { html } = renderMarkdown("# T\n\n```sh no-run\necho 'one\ntwo'\n\ndone\n```\n");
    const code = /<code[^>]*>([\s\S]*)<\/code>/.exec(html)![1]!;
    expect(code.split('\n')).toEqual([
      '<span class="line"><span class="hljs-built_in">echo</span> <span class="hljs-string">&#x27;one</span></span>',
      '<span class="line"><span class="hljs-string">two&#x27;</span></span>',
      '<span class="line"></span>',
      '<span class="line"><span class="hljs-keyword">done</span></span>',
      '', // marked ends the block with a newline of its own
    ]);
    expect(inLineSpans('<span class="a">x\n<span class="b">y\nz</span></span>')).toBe(
      '<span class="line"><span class="a">x</span></span>\n' +
        '<span class="line"><span class="a"><span class="b">y</span></span></span>\n' +
        '<span class="line"><span class="a"><span class="b">z</span></span></span>',
    );
  });

  it('insists on a title', () => {
    expect(() => renderMarkdown('no title here')).toThrow(/# Title/);
  });
});

describe('code blocks', () => {
  it('parses info strings: language, flags and attributes', () => {
    const info = parseInfoString('sh no-run expect=401 file=poll.sh');
    expect(info.language).toBe('sh');
    expect([...info.flags]).toEqual(['no-run']);
    expect(Object.fromEntries(info.attributes)).toEqual({ expect: '401', file: 'poll.sh' });
  });

  it('finds every fenced block, nested ones included, and pairs a snippet with the example right after it', () => {
    const blocks = codeBlocksOf(
      ['# T', '', '```sh', 'curl a', '```', '', '```json', '{"a":1}', '```', '', 'text', '', '- item', '', '  ```ts', '  const x = 1;', '  ```', ''].join('\n'),
    );
    expect(blocks.map((b) => [b.info.language, b.line])).toEqual([
      ['sh', 3],
      ['json', 7],
      ['ts', 15],
    ]);
    expect(blocks[0]!.followedBy?.code).toBe('{"a":1}');
    expect(blocks[1]!.followedBy?.code).toBe(undefined);
    expect(blocks[2]!.code).toBe('const x = 1;');
  });
});

describe('snippet helpers', () => {
  it('points the documented base URLs at the live server', () => {
    const code = 'curl https://api.1security.ai/api/v1/ping http://localhost:4001/healthz';
    expect(withLiveOrigin(code, 'http://127.0.0.1:5000')).toBe('curl http://127.0.0.1:5000/api/v1/ping http://127.0.0.1:5000/healthz');
  });

  it('reads the JSON a snippet printed last', () => {
    expect(jsonOutputOf('{"a":1}')).toEqual({ a: 1 });
    expect(jsonOutputOf('Revoked API key 01J.\n{"b":2}')).toEqual({ b: 2 });
    expect(() => jsonOutputOf('not json')).toThrow();
  });

  it('checks an example response against the real one, field by field', () => {
    const example = { data: [{ id: '01J…', severity: 'high', resolvedAt: null }], pagination: { nextCursor: 'x', hasMore: true } };
    expect(shapeMismatches(example, { data: [{ id: 'a', severity: 'low', resolvedAt: '2026-01-01T00:00:00Z', extra: 1 }], pagination: { nextCursor: null, hasMore: false } })).toEqual([]);
    expect(shapeMismatches(example, { data: [{ id: 'a', severity: 3 }], pagination: { hasMore: 'no' } })).toEqual([
      '$.data[0].severity: the example shows string, the API returned number',
      '$.data[0].resolvedAt: in the example, missing from the API\'s response',
      '$.pagination.nextCursor: in the example, missing from the API\'s response',
      '$.pagination.hasMore: the example shows boolean, the API returned string',
    ]);
    expect(shapeMismatches(example, { data: [], pagination: { nextCursor: null, hasMore: false } })[0]).toMatch(/returned none/);
  });
});

describe('the built site', () => {
  it('has a page for every guide file, and a guide file for every page', () => {
    const files = readdirSync(GUIDES_DIR).filter((f) => f.endsWith('.md')).map((f) => f.slice(0, -3)).sort();
    expect(files).toEqual(MARKDOWN_PAGES.map((g) => g.slug).sort());
  });

  it('publishes the OpenAPI document the contract generates, unchanged', () => {
    expect(JSON.parse(readFileSync(path.join(DIST_DIR, 'openapi.json'), 'utf8'))).toEqual(generateOpenApiDocument());
  });

  it('knows the reference anchors of every operation', () => {
    const targets = referenceTargets(generateOpenApiDocument());
    expect(targets).toContain('tag/Audit-logs/operation/listLogs');
    expect(targets).toContain('tag/Security-alerts');
  });

  it('bundles Redoc locally, without its remote logo', () => {
    const bundle = readFileSync(path.join(DIST_DIR, 'assets/redoc.standalone.js'), 'utf8');
    expect(bundle).not.toContain('cdn.redoc.ly');
    for (const page of readdirSync(DIST_DIR).filter((f) => f.endsWith('.html'))) {
      // Links out are fine; loading anything from elsewhere is not.
      expect(readFileSync(path.join(DIST_DIR, page), 'utf8'), page).not.toMatch(/<(script|img|iframe)[^>]+src="(https?:)?\/\/|<link[^>]+href="(https?:)?\/\//);
    }
  });

  it('tells the server where it is and which policy it needs', () => {
    expect(docsDirectory()).toBe(DIST_DIR);
    expect(existsSync(path.join(docsDirectory()!, 'reference.html'))).toBe(true);
    expect(docsContentSecurityPolicy()).toContain("script-src 'self';");
    expect(docsContentSecurityPolicy()).toContain("worker-src 'self' blob:");
    expect(docsContentSecurityPolicy()).not.toContain('unsafe-eval');
  });
});
