/**
 * The built docs site in headless Chromium, served as the API server serves it: under
 * `/docs`, with the docs' Content-Security-Policy. Every page renders with no console error,
 * no failed request and no off-site request; the reference lists every operation of the
 * OpenAPI document; the navigation reaches every guide. Screenshots go to screenshots/.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCS_CSP_DIRECTIVES, docsContentSecurityPolicy } from '../serve';
import { redocTagSlug } from '../src/reference-page';
import { GUIDES, htmlFileOf, MARKDOWN_PAGES, REFERENCE_FILE } from '../src/site-map';
import { CHROMIUM_PATH, chromiumAvailable, launchChromium } from './support/browser';
import { startLiveServer, type LiveServer } from './support/live-server';
import { screenshot, visit } from './support/page-check';
import { DIST_DIR, DOCS_ROOT, inCi, REPO_ROOT } from './support/paths';
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

function ensureBuilt(): void {
  if (!existsSync(path.join(DIST_DIR, 'index.html'))) {
    execFileSync(path.join(DOCS_ROOT, 'node_modules/.bin/tsx'), ['src/build-site.ts'], { cwd: DOCS_ROOT, stdio: 'inherit' });
  }
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
