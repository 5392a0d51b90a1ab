/**
 * The built docs site in headless Chromium, served as the API server serves it: under
 * `/docs`, with the docs' Content-Security-Policy. Every page renders with no console error,
 * no failed request and no off-site request; the reference lists every operation of the
 * OpenAPI document; the navigation reaches every guide. Screenshots go to screenshots/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCS_CSP_DIRECTIVES, docsContentSecurityPolicy } from '../serve';
import { codeBlocksOf } from '../src/markdown';
import { redocTagSlug } from '../src/reference-page';
import { GUIDES, htmlFileOf, MARKDOWN_PAGES, REFERENCE_FILE } from '../src/site-map';
import { CHROMIUM_PATH, chromiumAvailable, launchChromium } from './support/browser';
import { startLiveServer, type LiveServer } from './support/live-server';
import { screenshot, visit } from './support/page-check';
import { ensureFreshBuild } from './support/build';
import { DIST_DIR, GUIDES_DIR, inCi, REPO_ROOT, SCREENSHOTS_DIR } from './support/paths';
import { serveStaticSite, type StaticSite } from './support/static-site';

/* eslint-disable @typescript-eslint/no-explicit-any -- the OpenAPI document is plain JSON */
interface Operation {
  operationId: string;
  summary: string;
  tag: string;
  parameters: string[];
}

function operationsOf(document: any): Operation[] {
  return Object.values<any>(document.paths).flatMap((item) =>
    Object.values<any>(item).map((operation) => ({
      operationId: operation.operationId,
      summary: operation.summary,
      tag: operation.tags[0],
      parameters: (operation.parameters ?? []).map((p: any) => p.name),
    })),
  );
}

const PAGES = [...MARKDOWN_PAGES.map((g) => htmlFileOf(g.slug)), REFERENCE_FILE];
const referenceReady = (page: import('playwright-core').Page) => page.waitForSelector('[data-section-id^="tag/"]', { timeout: 30_000 });

const ensureBuilt = ensureFreshBuild;

/** A desktop screen at 1× pixel density (where a clipped underscore shows), and a phone. */
const VIEWPORTS = [
  { name: 'desktop-1x', width: 1366, height: 900 },
  { name: 'phone-390', width: 390, height: 844 },
] as const;

/**
 * What a reader would see cut off, measured in the page: the page or the header wider than
 * the screen, a header link past its edge, a code block whose lines run out of sight, a code
 * block whose line height is too tight for underscores, or whose last line sits on the edge
 * of the box that clips it (where underscores and descenders were cut off).
 */
function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth > width) problems.push(`the page scrolls sideways: ${document.documentElement.scrollWidth}px wide on a ${width}px screen`);
    const header = document.querySelector<HTMLElement>('.site-header')!;
    if (header.scrollWidth > header.clientWidth) problems.push(`the header overflows: ${header.scrollWidth}px in ${header.clientWidth}px`);
    for (const item of header.querySelectorAll<HTMLElement>('a, summary')) {
      if (item.closest('ul')) continue; // the Guides menu, closed
      const box = item.getBoundingClientRect();
      if (box.left < 0 || box.right > width) problems.push(`header link "${item.innerText}" is cut off: ${Math.round(box.left)}–${Math.round(box.right)}px of ${width}px`);
      if (box.height > 1.5 * parseFloat(getComputedStyle(item).lineHeight)) problems.push(`header link "${item.innerText}" wraps onto a second line`);
    }
    document.querySelectorAll<HTMLElement>('article pre').forEach((pre, index) => {
      const code = pre.querySelector<HTMLElement>('code') ?? pre;
      const name = `code block ${index + 1} ("${(code.textContent ?? '').split('\n')[0]!.slice(0, 40)}")`;
      for (const box of new Set([pre, code])) {
        if (box.scrollWidth > box.clientWidth) problems.push(`${name}: lines run out of sight in the <${box.localName}> (${box.scrollWidth}px in ${box.clientWidth}px)`);
      }
      const style = getComputedStyle(code);
      const fontSize = parseFloat(style.fontSize);
      const lineHeight = parseFloat(style.lineHeight); // NaN for `normal`
      if (!(lineHeight >= 1.4 * fontSize)) problems.push(`${name}: line-height ${style.lineHeight} for ${style.fontSize} text`);
      const range = document.createRange();
      range.selectNodeContents(code);
      const textBottom = Math.max(...[...range.getClientRects()].map((r) => r.bottom));
      for (const clip of new Set([code, pre])) {
        const clipStyle = getComputedStyle(clip);
        if (clipStyle.overflowX === 'visible' && clipStyle.overflowY === 'visible') continue;
        const clipBottom = clip.getBoundingClientRect().bottom - parseFloat(clipStyle.borderBottomWidth);
        if (clipBottom - textBottom < 0.25 * fontSize) {
          problems.push(`${name}: the last line is ${(clipBottom - textBottom).toFixed(1)}px from the edge of the <${clip.localName}> that clips it`);
        }
      }
    });
    return problems;
  });
}

const available = chromiumAvailable();

if (!available && inCi) {
  describe('the docs site in Chromium', () => {
    it('needs Chromium', () => {
      throw new Error(`Chromium is missing at ${CHROMIUM_PATH}: CI must install it (apt-get install -y chromium).`);
    });
  });
}

// Off CI without Chromium: skipped, with the warning chromiumAvailable() printed.
describe.skipIf(!available)('the docs site in Chromium', () => {
  let browser: Browser;
  let site: StaticSite;

  beforeAll(async () => {
    ensureBuilt();
    site = await serveStaticSite(DIST_DIR, '/docs', { 'Content-Security-Policy': docsContentSecurityPolicy() });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  for (const file of PAGES) {
    it(`${file} renders with no console error and no failed request`, async () => {
      const isReference = file === REFERENCE_FILE;
      const { page, problems, close } = await visit(browser, `${site.url}${file}`, isReference ? referenceReady : undefined);
      try {
        expect(problems).toEqual([]);
        if (isReference) {
          expect(await page.locator('.api-info h1').first().textContent()).toContain('1Security API');
        } else {
          const title = (await page.locator('article h1').textContent())?.replace(/^#/, '').trim();
          expect(title).toBeTruthy();
          expect(await page.title()).toBe(`${title} · 1Security API docs`);
        }
        await screenshot(page, file.replace(/\.html$/, ''));
      } finally {
        await close();
      }
    });
  }

  it('the reference lists every operation of the OpenAPI document, with its parameters', async () => {
    const document = JSON.parse(readFileSync(path.join(DIST_DIR, 'openapi.json'), 'utf8'));
    const operations = operationsOf(document);
    expect(operations.length).toBeGreaterThan(0);
    const { page, problems, close } = await visit(browser, `${site.url}${REFERENCE_FILE}`, referenceReady);
    try {
      const rendered = await page.$$eval('[data-section-id*="/operation/"]', (sections) =>
        sections.map((s) => ({ id: s.getAttribute('data-section-id'), text: s.textContent ?? '' })),
      );
      for (const operation of operations) {
        const id = `tag/${redocTagSlug(operation.tag)}/operation/${operation.operationId}`;
        const section = rendered.find((s) => s.id === id);
        expect(section, `${operation.operationId} is not in the reference`).toBeDefined();
        expect(section!.text).toContain(operation.summary);
        for (const parameter of operation.parameters) expect(section!.text, `${operation.operationId}: ${parameter}`).toContain(parameter);
      }
      expect(rendered.map((s) => s.id).sort()).toEqual(
        operations.map((o) => `tag/${redocTagSlug(o.tag)}/operation/${o.operationId}`).sort(),
      );
      // The menu too, so a reader can reach each operation from the sidebar.
      const menu = await page.locator('[role="menu"]').first().textContent();
      for (const operation of operations) expect(menu).toContain(operation.summary);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it('the navigation reaches every guide and the reference from the home page', async () => {
    const reached = new Set<string>(['index.html']);
    const queue = ['index.html'];
    while (queue.length > 0) {
      const file = queue.shift()!;
      const waitFor = file === REFERENCE_FILE ? referenceReady : undefined;
      const { page, close } = await visit(browser, `${site.url}${file}`, waitFor);
      const links = await page.$$eval('header nav a[href], nav.sidebar a[href]', (anchors) =>
        anchors.map((a) => (a as HTMLAnchorElement).href),
      );
      await close();
      for (const link of links) {
        if (!link.startsWith(site.url)) continue;
        const target = new URL(link).pathname.slice(new URL(site.url).pathname.length);
        if (target.endsWith('.html') && !reached.has(target)) {
          reached.add(target);
          queue.push(target);
        }
      }
    }
    expect([...reached].sort()).toEqual([...PAGES].sort());
  });

  it('the Guides menu on the reference page opens a guide', async () => {
    const { page, problems, close } = await visit(browser, `${site.url}${REFERENCE_FILE}`, referenceReady);
    try {
      const target = GUIDES.find((g) => g.slug === 'incremental-sync')!;
      await page.locator('.guides-menu summary').click();
      await Promise.all([page.waitForURL(`**/${htmlFileOf(target.slug)}`), page.getByRole('link', { name: target.navTitle }).first().click()]);
      expect(await page.locator('article h1').textContent()).toContain('Incremental sync');
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it('loads nothing from outside the site', async () => {
    const offsite: string[] = [];
    for (const file of PAGES) {
      const page = await browser.newPage();
      page.on('request', (request) => {
        if (!request.url().startsWith(site.url) && !request.url().startsWith('data:') && !request.url().startsWith('blob:')) {
          offsite.push(`${file}: ${request.url()}`);
        }
      });
      await page.goto(`${site.url}${file}`, { waitUntil: 'load' });
      if (file === REFERENCE_FILE) await referenceReady(page);
      await page.waitForLoadState('networkidle');
      await page.close();
    }
    expect(offsite).toEqual([]);
  });

  for (const viewport of VIEWPORTS) {
    it(`every guide fits a ${viewport.width}px screen: nothing cut off, nothing out of sight, no clipped underscore`, async () => {
      const context = await browser.newContext({ viewport: { width: viewport.width, height: viewport.height }, deviceScaleFactor: 1 });
      try {
        const problems: string[] = [];
        for (const { slug } of MARKDOWN_PAGES) {
          const page = await context.newPage();
          await page.goto(`${site.url}${htmlFileOf(slug)}`, { waitUntil: 'load' });
          problems.push(...(await layoutProblems(page)).map((problem) => `${slug}: ${problem}`));
          // However the lines wrap, the text a reader selects and copies is the code as written.
          const shown = await page.$$eval('article pre code', (codes) => codes.map((code) => (code as HTMLElement).innerText.replace(/\n$/, '')));
          expect(shown, `${slug}: the code blocks' text`).toEqual(codeBlocksOf(readFileSync(path.join(GUIDES_DIR, `${slug}.md`), 'utf8')).map((b) => b.code));
          if (slug === 'siem-integration') {
            // Has the crontab lines; look at these after a change to the stylesheet.
            mkdirSync(SCREENSHOTS_DIR, { recursive: true });
            await page.screenshot({ path: path.join(SCREENSHOTS_DIR, `layout-${viewport.name}-${slug}.png`), fullPage: true });
          }
          await page.close();
        }
        expect(problems).toEqual([]);
      } finally {
        await context.close();
      }
    });
  }

  it('the Guides menu opens within a 390px screen', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
    try {
      const page = await context.newPage();
      await page.goto(`${site.url}${htmlFileOf('quickstart')}`, { waitUntil: 'load' });
      await page.locator('.guides-menu summary').click();
      const menu = await page.locator('.guides-menu ul').boundingBox();
      await page.screenshot({ path: path.join(SCREENSHOTS_DIR, 'layout-phone-390-guides-menu.png') });
      expect(menu).not.toBeNull();
      expect(menu!.x).toBeGreaterThanOrEqual(0);
      expect(menu!.x + menu!.width).toBeLessThanOrEqual(390);
      for (const link of await page.locator('.guides-menu li a').all()) expect(await link.isVisible()).toBe(true);
    } finally {
      await context.close();
    }
  });

  it('the Content-Security-Policy the server is asked to send is the one tested here', () => {
    expect(docsContentSecurityPolicy()).toBe(
      Object.entries(DOCS_CSP_DIRECTIVES)
        .map(([name, values]) => `${name} ${values.join(' ')}`)
        .join(';'),
    );
  });
});

/**
 * The real thing, once apps/server serves the docs (see apps/docs/README.md): `/docs` on the
 * API server, with the server's own headers.
 */
const serverServesDocs = readFileSync(path.join(REPO_ROOT, 'apps/server/src/app.ts'), 'utf8').includes('docsDirectory');

if (available && serverServesDocs) describe('the docs site on the API server', () => {
  let browser: Browser;
  let live: LiveServer;

  beforeAll(async () => {
    ensureBuilt();
    [live, browser] = await Promise.all([startLiveServer(), launchChromium()]);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await live?.close();
  });

  it('/docs redirects to /docs/, which is the home page', async () => {
    const response = await fetch(`${live.origin}/docs`, { redirect: 'manual' });
    expect([301, 302, 308]).toContain(response.status);
    expect(response.headers.get('location')).toBe('/docs/');
    const home = await fetch(`${live.origin}/docs/`);
    expect(home.status).toBe(200);
    expect(home.headers.get('content-type')).toContain('text/html');
  });

  for (const file of ['', ...PAGES]) {
    it(`/docs/${file} renders under the server's headers with no console error`, async () => {
      const isReference = file === REFERENCE_FILE;
      const { page, problems, close } = await visit(browser, `${live.origin}/docs/${file}`, isReference ? referenceReady : undefined);
      try {
        expect(problems).toEqual([]);
        expect(await page.locator(isReference ? '.api-content' : 'article h1').count()).toBeGreaterThan(0);
      } finally {
        await close();
      }
    });
  }
});
