import path from 'node:path';
import { DASHBOARD_API_BASE_PATH } from '@1security/contract';
import { DASHBOARD_BASE_PATH, DASHBOARD_CSP_DIRECTIVES, dashboardDirectory } from '@1security/dashboard/serve';
import express, { type Router } from 'express';
import helmet from 'helmet';
import { limitAnonymous } from '../auth/authenticate';
import type { RateLimiter } from '../rate-limit/rate-limiter';

/** `/api` as the dashboard router sees it: the dashboard API, never the app. */
const API_PREFIX = DASHBOARD_API_BASE_PATH.slice(DASHBOARD_BASE_PATH.length);

/**
 * The dashboard app (apps/dashboard/dist) for mounting at `/dashboard`, or undefined when it
 * has not been built. Files as they are, on the anonymous per-IP budget, under the dashboard's
 * own Content-Security-Policy; any other page path (`/dashboard/set-password`,
 * `/dashboard/settings/api-keys`) gets the app's `index.html`, whose router draws the page.
 * `/dashboard/api/…` is passed on untouched: the dashboard API answers it, or the 404 envelope.
 */
export function dashboardSite(rateLimiter: RateLimiter): Router | undefined {
  const dist = dashboardDirectory();
  if (!dist) return undefined;
  const indexHtml = path.join(dist, 'index.html');
  const router = express.Router();

  router.use((req, _res, next) => {
    // Express matches mount paths case-insensitively, so /dashboard/API/… is the API's too.
    const lower = req.path.toLowerCase();
    if (lower === API_PREFIX || lower.startsWith(`${API_PREFIX}/`)) return next('router');
    next();
  });
  router.use(
    limitAnonymous(rateLimiter),
    helmet.contentSecurityPolicy({
      useDefaults: false,
      directives: DASHBOARD_CSP_DIRECTIVES as Record<string, string[]>,
    }),
  );
  router.use(
    express.static(dist, {
      index: false,
      redirect: false,
      setHeaders: (res, file) => {
        // Vite names every asset by its content hash: a changed file is a new URL.
        const hashed = path.relative(dist, file).startsWith(`assets${path.sep}`);
        res.setHeader('Cache-Control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    }),
  );
  router.get(/.*/, (req, res, next) => {
    // A missing file (`/dashboard/assets/old.js`, `/dashboard/logo.png`) is a 404, not the app.
    if (path.posix.extname(req.path) !== '' || req.path.startsWith('/assets/')) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(indexHtml);
  });
  return router;
}
