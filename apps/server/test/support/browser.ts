import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { z } from 'zod';

/** Debian's `chromium` package, unless CHROMIUM_PATH says otherwise. Nothing is downloaded. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const inCi = process.env.CI === 'true' || process.env.CI === '1';
/** Where the dashboard's browser test writes its screenshots (git-ignored). */
export const SCREENSHOTS_DIR = fileURLToPath(new URL('../../../dashboard/screenshots', import.meta.url));

/** Whether the browser tests can run here; off CI a missing Chromium skips them with a warning. */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (!inCi) {
    console.warn(
      `\n  ⚠ Chromium not found at ${CHROMIUM_PATH}: the dashboard's browser tests are skipped on this machine.` +
        `\n    Install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH).\n`,
    );
  }
  return false;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** What went wrong in a page since the last look. */
export interface PageProblems {
  /** `401 POST /dashboard/api/session`: every response with an HTTP error status. */
  httpErrors: string[];
  /** Console errors (CSP violations show up there), uncaught exceptions and failed requests. */
  other: string[];
}

/** The browser's own console line for an HTTP error response: it goes with an entry of `httpErrors`. */
const HTTP_ERROR_CONSOLE_LINE = /^Failed to load resource: the server responded with a status of \d+/;

/**
 * Records everything that goes wrong in a page; `take()` returns it and starts afresh. An
 * HTTP error the page handles (a 401 for a wrong password) is listed in `httpErrors`, where a
 * test expects it; the console line Chromium writes for it is not counted twice.
 */
export function watch(page: Page): { take(): PageProblems } {
  let httpErrors: string[] = [];
  let other: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && !HTTP_ERROR_CONSOLE_LINE.test(message.text()))
      other.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => other.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => {
    // Cut off by the test's own navigation (a favicon still loading when it moves on): not the page's fault.
    if (request.failure()?.errorText === 'net::ERR_ABORTED') return;
    other.push(`request failed: ${request.method()} ${request.url()} (${request.failure()?.errorText})`);
  });
  page.on('response', (response) => {
    if (process.env.DEBUG_DASHBOARD_TEST)
      console.log(new Date().toISOString(), response.status(), response.url(), page.url());
    if (response.status() >= 400)
      httpErrors.push(`${response.status()} ${response.request().method()} ${new URL(response.url()).pathname}`);
  });
  return {
    take() {
      const taken = { httpErrors, other };
      httpErrors = [];
      other = [];
      return taken;
    },
  };
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

// The snippets below run in the page, so they are strings (this package has no DOM types), and
// what they hand back is parsed rather than trusted.

/** axe-core run in the page: its serious and critical violations, one line each. */
export async function seriousAccessibilityViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern (a <script> tag would be refused).
  if (!(await page.evaluate('window.axe !== undefined'))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(`
    window.axe.run(document, { resultTypes: ['violations'] }).then((results) =>
      results.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => v.id + ' (' + v.impact + '): ' + v.help + ' — ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))
  `);
  return z.array(z.string()).parse(violations);
}

/** Whether the page scrolls sideways at the current width (a 360 px phone must not). */
export async function sidewaysOverflow(page: Page): Promise<string | undefined> {
  const overflow = await page.evaluate(`(() => {
    const { scrollWidth, clientWidth } = document.documentElement;
    return scrollWidth > clientWidth ? 'the page is ' + scrollWidth + 'px wide on a ' + clientWidth + 'px screen' : null;
  })()`);
  return z.string().nullable().parse(overflow) ?? undefined;
}

/** The text on the page's clipboard (the context must have been granted `clipboard-read`). */
export async function clipboardText(page: Page): Promise<string> {
  return z.string().parse(await page.evaluate('navigator.clipboard.readText()'));
}

/** The distinct red values of the pixels of the first canvas matching `selector`. */
export async function canvasShades(page: Page, selector: string): Promise<number[]> {
  const shades = await page.evaluate(`(() => {
    const canvas = document.querySelector(${JSON.stringify(selector)});
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    const seen = new Set();
    for (let i = 0; i < pixels.length; i += 4) seen.add(pixels[i]);
    return [...seen];
  })()`);
  return z.array(z.number()).parse(shades);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  // From the top: a full-page shot of a scrolled page paints the sticky header halfway down.
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: path.join(SCREENSHOTS_DIR, `${name}.png`), fullPage: true });
}
