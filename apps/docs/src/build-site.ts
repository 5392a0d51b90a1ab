/**
 * Builds the static docs site into `dist/`: the guides (Markdown → HTML with the shared
 * layout), the API reference (Redoc, bundled locally, reading the OpenAPI document the
 * contract generates), and the assets. No network at build time or at run time.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateOpenApiDocument } from '@1security/contract/openapi';
import { guideBody, page } from './layout';
import { renderMarkdown } from './markdown';
import { referenceBody, referenceHead, referenceTargets } from './reference-page';
import { htmlFileOf, MARKDOWN_PAGES, OPENAPI_FILE, REFERENCE_FILE } from './site-map';

const docsRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const guidesDir = path.join(docsRoot, 'guides');
const dist = path.join(docsRoot, 'dist');
const require = createRequire(import.meta.url);

/** Files copied from dependencies, so the site needs no CDN. */
const VENDORED_ASSETS: Record<string, string> = {
  'redoc.standalone.js.LICENSE.txt': require.resolve('redoc/bundles/redoc.standalone.js.LICENSE.txt'),
  'highlight.css': require.resolve('highlight.js/styles/github.css'),
};

/**
 * Redoc's sidebar footer ("API docs by Redocly") loads its logo from cdn.redoc.ly, the one
 * request the bundle makes off-site. The site must work offline under `img-src 'self' data:`,
 * so the logo becomes an empty inline image; the attribution link stays.
 */
const REDOC_REMOTE_LOGO = 'src:"https://cdn.redoc.ly/redoc/logo-mini.svg"';
const REDOC_LOCAL_LOGO = `src:"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='1' height='1'/%3E"`;

function vendorRedoc(target: string): void {
  const bundle = readFileSync(require.resolve('redoc/bundles/redoc.standalone.js'), 'utf8');
  const occurrences = bundle.split(REDOC_REMOTE_LOGO).length - 1;
  if (occurrences !== 1) {
    throw new Error(`redoc.standalone.js: expected the remote logo once, found it ${occurrences} times; check the new Redoc version for requests off-site`);
  }
  writeFileSync(target, bundle.replace(REDOC_REMOTE_LOGO, REDOC_LOCAL_LOGO));
}

function checkGuideFiles(): void {
  const onDisk = readdirSync(guidesDir)
    .filter((f) => f.endsWith('.md'))
    .map((f) => f.slice(0, -3))
    .sort();
  const listed = MARKDOWN_PAGES.map((g) => g.slug).sort();
  const unlisted = onDisk.filter((slug) => !listed.includes(slug));
  const missing = listed.filter((slug) => !onDisk.includes(slug));
  if (unlisted.length > 0 || missing.length > 0) {
    throw new Error(
      `guides/ and src/site-map.ts disagree: not in the navigation: ${unlisted.join(', ') || '-'}; no file: ${missing.join(', ') || '-'}`,
    );
  }
}

function build(): void {
  checkGuideFiles();
  const document = generateOpenApiDocument();

  rmSync(dist, { recursive: true, force: true });
  mkdirSync(path.join(dist, 'assets'), { recursive: true });
  writeFileSync(path.join(dist, OPENAPI_FILE), `${JSON.stringify(document, null, 2)}\n`);

  for (const file of readdirSync(path.join(docsRoot, 'assets'))) {
    copyFileSync(path.join(docsRoot, 'assets', file), path.join(dist, 'assets', file));
  }
  for (const [name, source] of Object.entries(VENDORED_ASSETS)) {
    copyFileSync(source, path.join(dist, 'assets', name));
  }
  vendorRedoc(path.join(dist, 'assets', 'redoc.standalone.js'));

  // Every page's anchors, to check every link between pages once everything is rendered.
  const anchors = new Map<string, Set<string>>([[REFERENCE_FILE, referenceTargets(document)]]);
  const links: { from: string; href: string }[] = [];

  for (const guide of MARKDOWN_PAGES) {
    const file = htmlFileOf(guide.slug);
    const rendered = renderMarkdown(readFileSync(path.join(guidesDir, `${guide.slug}.md`), 'utf8'));
    anchors.set(file, new Set(rendered.anchors));
    links.push(...rendered.links.map((href) => ({ from: `guides/${guide.slug}.md`, href })));
    writeFileSync(
      path.join(dist, file),
      page({
        title: rendered.title,
        file,
        head: '<link rel="stylesheet" href="assets/highlight.css">\n',
        bodyClass: 'page-guide',
        body: guideBody({ file, html: rendered.html, sections: rendered.sections }),
      }),
    );
  }

  writeFileSync(
    path.join(dist, REFERENCE_FILE),
    page({ title: 'API reference', file: REFERENCE_FILE, head: referenceHead(), bodyClass: 'page-reference', body: referenceBody() }),
  );

  const broken = links.filter(({ href }) => {
    const [target = '', fragment] = href.split('#');
    if (target === OPENAPI_FILE) return fragment !== undefined;
    const known = anchors.get(target);
    return known === undefined || (fragment !== undefined && !known.has(fragment));
  });
  if (broken.length > 0) {
    throw new Error(`broken links:\n${broken.map((b) => `  ${b.from}: ${b.href}`).join('\n')}`);
  }
  console.log(`docs: built ${MARKDOWN_PAGES.length + 1} pages into ${path.relative(process.cwd(), dist) || '.'}`);
}

build();
