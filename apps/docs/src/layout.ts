import { GUIDES, htmlFileOf, OPENAPI_FILE, OVERVIEW, REFERENCE_FILE } from './site-map';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export interface PageOptions {
  /** The page's title, shown in the tab. */
  title: string;
  /** The published file of this page, to mark the current navigation entry. */
  file: string;
  /** Extra tags for `<head>`. */
  head?: string;
  /** The page body, below the shared header. */
  body: string;
  bodyClass: string;
}

/** The header every page shares: the site name, every guide, the reference and the OpenAPI document. */
function siteHeader(current: string): string {
  const guideLinks = [OVERVIEW, ...GUIDES]
    .map((g) => `<li>${navLink(htmlFileOf(g.slug), g.navTitle, current)}</li>`)
    .join('');
  return `<header class="site-header">
  <a class="brand" href="index.html"><span class="brand-mark">1Security</span><span class="wide-only"> API</span> docs</a>
  <nav class="top-nav" aria-label="Site">
    <details class="guides-menu"><summary>Guides</summary><ul>${guideLinks}</ul></details>
    ${navLink(REFERENCE_FILE, '<span class="wide-only">API r</span><span class="narrow-only">R</span>eference', current, { html: true })}
    <a href="${OPENAPI_FILE}">OpenAPI<span class="wide-only"> document</span></a>
  </nav>
</header>`;
}

function navLink(file: string, text: string, current: string, options: { html?: boolean } = {}): string {
  const active = file === current ? ' aria-current="page"' : '';
  return `<a href="${file}"${active}>${options.html ? text : escapeHtml(text)}</a>`;
}

/** A complete HTML document with the shared header. Every URL is relative: the site works under any path. */
export function page(options: PageOptions): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)} · 1Security API docs</title>
<link rel="icon" href="assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="assets/site.css">
${options.head ?? ''}</head>
<body class="${options.bodyClass}">
${siteHeader(options.file)}
${options.body}
</body>
</html>
`;
}

export interface GuideBody {
  file: string;
  html: string;
  sections: { id: string; text: string }[];
}

/** A guide: the sidebar (every page, and this page's sections), the article, previous/next links. */
export function guideBody({ file, html, sections }: GuideBody): string {
  const pages = [OVERVIEW, ...GUIDES];
  const index = pages.findIndex((g) => htmlFileOf(g.slug) === file);
  const previous = pages[index - 1];
  const next = pages[index + 1];
  const sidebar = pages
    .map((g) => {
      const target = htmlFileOf(g.slug);
      const toc =
        target === file && sections.length > 0
          ? `<ul class="toc">${sections.map((s) => `<li><a href="#${s.id}">${escapeHtml(s.text)}</a></li>`).join('')}</ul>`
          : '';
      return `<li>${navLink(target, g.navTitle, file)}${toc}</li>`;
    })
    .join('');
  const pager = [
    previous ? `<a class="previous" href="${htmlFileOf(previous.slug)}">← ${escapeHtml(previous.navTitle)}</a>` : '<span></span>',
    next
      ? `<a class="next" href="${htmlFileOf(next.slug)}">${escapeHtml(next.navTitle)} →</a>`
      : `<a class="next" href="${REFERENCE_FILE}">API reference →</a>`,
  ].join('');
  return `<div class="layout">
<nav class="sidebar" aria-label="Guides"><ul>${sidebar}<li><a href="${REFERENCE_FILE}">API reference</a></li></ul></nav>
<main class="content">
<article>
${html}</article>
<nav class="pager" aria-label="Previous and next">${pager}</nav>
</main>
</div>`;
}
