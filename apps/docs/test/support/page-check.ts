import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { SCREENSHOTS_DIR } from './paths';

export interface PageVisit {
  page: Page;
  /** Console errors, uncaught exceptions, failed requests and HTTP errors, as text. */
  problems: string[];
  close(): Promise<void>;
}

/**
 * Opens a URL in a fresh page and records everything that went wrong while it loaded and
 * settled: console errors (CSP violations show up there), page errors, requests that failed
 * or answered with an HTTP error.
 */
export async function visit(browser: Browser, url: string, waitFor?: (page: Page) => Promise<unknown>): Promise<PageVisit> {
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  await page.goto(url, { waitUntil: 'load' });
  if (waitFor) await waitFor(page);
  await page.waitForLoadState('networkidle');
  return { page, problems, close: () => page.close() };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS_DIR, `${name}.png`), fullPage: true });
}
