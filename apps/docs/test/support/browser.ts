import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { inCi } from './paths';

/** Debian's `chromium` package, unless CHROMIUM_PATH says otherwise. Nothing is downloaded. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Whether the browser tests can run here; off CI a missing Chromium skips them with a warning. */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (!inCi) {
    console.warn(
      `\n  ⚠ Chromium not found at ${CHROMIUM_PATH}: the docs site's browser tests are skipped on this machine.` +
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
