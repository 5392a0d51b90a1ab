import type { ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { ServerMetrics } from './server-metrics';

const STARTED = Symbol('metricsStarted');
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Paths served by a mounted static handler, reported as one template each. */
const MOUNTS = ['/docs', '/dashboard'];

type Timed = ServerResponse & { [STARTED]?: number };

/**
 * Route templates for requests answered before Express matched a route (an invalid key or a
 * spent budget in `authenticate`, an unknown path): matched against the contracts' paths only
 * then, so the hot path never runs a regular expression.
 */
export class RouteTemplates {
  readonly #patterns: Array<[RegExp, string]>;

  constructor(paths: string[]) {
    const unique = [...new Set(paths)].sort((a, b) => b.length - a.length);
    this.#patterns = unique.map((template) => [
      new RegExp(
        `^${template
          .split('/')
          .map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
          .join('/')}$`,
      ),
      template,
    ]);
  }

  /** The template of a path, a mount's `/docs/*`, or `unmatched`: never the raw path (unbounded labels). */
  of(path: string): string {
    for (const [pattern, template] of this.#patterns) if (pattern.test(path)) return template;
    for (const mount of MOUNTS) if (path === mount || path.startsWith(`${mount}/`)) return `${mount}/*`;
    return 'unmatched';
  }
}

function templateOf(req: Request, templates: RouteTemplates): string {
  const route = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof route === 'string') return route;
  const url = req.originalUrl;
  const query = url.indexOf('?');
  return templates.of(query === -1 ? url : url.slice(0, query));
}

/**
 * Observes every finished response in `onesecurity_http_request_duration_seconds` by method,
 * route template and status. Per request: one timestamp and one shared listener, no closure;
 * the label object prom-client needs is the only allocation.
 */
export function recordHttpMetrics(metrics: ServerMetrics, templates: RouteTemplates) {
  const histogram = metrics.httpDuration;
  function onFinish(this: Timed): void {
    const req = this.req as Request;
    const started = this[STARTED] ?? performance.now();
    histogram.observe(
      {
        method: METHODS.has(req.method) ? req.method : 'other',
        route: templateOf(req, templates),
        status: this.statusCode,
      },
      (performance.now() - started) / 1000,
    );
  }
  return (_req: Request, res: Response, next: NextFunction): void => {
    (res as Timed)[STARTED] = performance.now();
    res.on('finish', onFinish);
    next();
  };
}
