import type { Express, Response } from 'express';

/**
 * `res.json` for this app: `JSON.stringify`, then the string straight to the socket.
 *
 * Express's own `res.json` hands the text to `res.send`, which copies it into a Buffer before
 * writing. A page of 1,000 events is ~430 KB: one more large allocation per request, outside
 * the JavaScript heap, and each such allocation pushes V8 towards a full garbage collection.
 * Under load it showed as garbage-collection time. Node writes a string to the socket
 * without the intermediate copy; everything else `res.send` would do for a JSON body (ETags
 * are off, requests are never fresh: see app.ts) is kept: the content type unless one is set,
 * the exact length in bytes, no body for HEAD, and neither body nor body headers for 204 and 304.
 */
export function useLeanJson(app: Express): void {
  app.response.json = function leanJson(this: Response, body: unknown) {
    // As res.send does: a 204 or 304 has no body, so no body headers either (RFC 9110).
    if (this.statusCode === 204 || this.statusCode === 304) {
      this.removeHeader('Content-Type');
      this.removeHeader('Content-Length');
      this.end();
      return this;
    }
    const text = JSON.stringify(body) ?? '';
    if (!this.getHeader('Content-Type')) this.setHeader('Content-Type', 'application/json; charset=utf-8');
    this.setHeader('Content-Length', Buffer.byteLength(text));
    this.end(this.req.method === 'HEAD' ? undefined : text);
    return this;
  };
}
