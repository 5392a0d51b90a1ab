import { existsSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

/**
 * What the API server needs to serve the docs site at `/docs`.
 *
 * @example
 * const docs = docsDirectory();
 * if (docs) app.use('/docs', helmet.contentSecurityPolicy({ useDefaults: false, directives: DOCS_CSP_DIRECTIVES }), express.static(docs));
 */

/** The built site (`apps/docs/dist`, absolute), or undefined when it has not been built. */
export function docsDirectory(): string | undefined {
  // Found through the package name, not this file's location: the server's build bundles this
  // module, and the bundle lives elsewhere.
  const packageJson = createRequire(import.meta.url).resolve('@1security/docs/package.json');
  const dist = path.join(path.dirname(packageJson), 'dist');
  return existsSync(path.join(dist, 'index.html')) ? dist : undefined;
}

/**
 * The Content-Security-Policy the docs pages need, as helmet `contentSecurityPolicy`
 * directives. Everything is same-origin; it differs from helmet's defaults only where the
 * bundled Redoc needs it:
 * - `worker-src 'self' blob:` — Redoc's search index runs in a Web Worker it creates from a blob;
 * - `style-src 'self' 'unsafe-inline'` — Redoc (styled-components) injects `<style>` elements;
 * - no `upgrade-insecure-requests`, so the site also loads over plain HTTP on a LAN address
 *   (`http://10.0.0.5:4001/docs`); production sits behind HTTPS anyway.
 */
export const DOCS_CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'connect-src': ["'self'"],
  'font-src': ["'self'", 'data:'],
  'form-action': ["'self'"],
  'frame-ancestors': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'object-src': ["'none'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'worker-src': ["'self'", 'blob:'],
};

/** The same policy as a `Content-Security-Policy` header value (what helmet sends). */
export function docsContentSecurityPolicy(): string {
  return Object.entries(DOCS_CSP_DIRECTIVES)
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join(';');
}
