import { existsSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

/**
 * What the API server needs to serve the dashboard at `/dashboard`: where the built app is,
 * and the Content-Security-Policy it runs under.
 */

/** Where the app is mounted; Vite builds it with this base, and every client route is under it. */
export const DASHBOARD_BASE_PATH = '/dashboard';

/** The built app (`apps/dashboard/dist`, absolute), or undefined when it has not been built. */
export function dashboardDirectory(): string | undefined {
  // Found through the package name, not this file's location: the server's build bundles this
  // module, and the bundle lives elsewhere.
  const packageJson = createRequire(import.meta.url).resolve('@1security/dashboard/package.json');
  const dist = path.join(path.dirname(packageJson), 'dist');
  return existsSync(path.join(dist, 'index.html')) ? dist : undefined;
}

/**
 * The dashboard's Content-Security-Policy, as helmet `contentSecurityPolicy` directives:
 * same-origin scripts, styles and requests only, no inline script or style and no `eval`
 * (the build emits module scripts and a stylesheet; the QR code is drawn on a canvas).
 * No `upgrade-insecure-requests`, so it also loads over plain HTTP on a LAN address.
 */
export const DASHBOARD_CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'connect-src': ["'self'"],
  'font-src': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'img-src': ["'self'", 'data:'],
  'object-src': ["'none'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'"],
};

/** The same policy as a `Content-Security-Policy` header value (what helmet sends). */
export function dashboardContentSecurityPolicy(): string {
  return Object.entries(DASHBOARD_CSP_DIRECTIVES)
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join(';');
}
