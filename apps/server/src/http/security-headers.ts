import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * helmet's headers, computed once: helmet's own middleware is run at start-up against a probe
 * that records what it sets and removes, and each request then gets exactly those header
 * writes, in the same order, in one loop (helmet re-walks its dozen sub-middlewares and
 * rebuilds the Content-Security-Policy string on every request). Only for options whose headers
 * do not depend on the request (no nonce functions): a probe that sees helmet read the request
 * or not finish synchronously refuses to start.
 */
export function securityHeaders(
  options?: Readonly<HelmetOptions>,
): (req: Request, res: Response, next: NextFunction) => void {
  return withHeaders(helmetHeaders(options));
}

/** A middleware that sets and removes these headers on every response (`helmetHeaders`' result). */
export function withHeaders({ set, removed }: ReturnType<typeof helmetHeaders>): RequestHandler {
  return (_req, res, next) => {
    for (let i = 0; i < set.length; i++) res.setHeader(set[i]![0], set[i]![1]);
    for (let i = 0; i < removed.length; i++) res.removeHeader(removed[i]!);
    next();
  };
}

/** What helmet does to every response with these options: the headers it sets, in order, and those it removes. */
export function helmetHeaders(options?: Readonly<HelmetOptions>): {
  set: ReadonlyArray<readonly [string, string | number | readonly string[]]>;
  removed: readonly string[];
} {
  const set: Array<[string, string | number | readonly string[]]> = [];
  const removed: string[] = [];
  const probe = {
    setHeader: (name: string, value: string | number | readonly string[]) => void set.push([name, value]),
    removeHeader: (name: string) => void removed.push(name),
  };
  const request = new Proxy(
    {},
    {
      get: (_target, property) => {
        throw new Error(`helmet read req.${String(property)}: its headers depend on the request`);
      },
    },
  );
  let finished = false;
  helmet(options)(request as Request, probe as unknown as Response, (err?: unknown) => {
    if (err) throw err instanceof Error ? err : new Error(String(err));
    finished = true;
  });
  if (!finished) throw new Error('helmet did not finish synchronously');
  return { set, removed };
}
