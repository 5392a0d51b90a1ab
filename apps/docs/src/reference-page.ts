/* eslint-disable @typescript-eslint/no-explicit-any -- the OpenAPI document is plain JSON */
import { OPENAPI_FILE } from './site-map';

/**
 * The API reference: Redoc's standalone bundle (served from `assets/`, never a CDN) renders
 * `openapi.json`, the document the contract generates. `assets/reference.js` starts it, so
 * the page needs no inline script and runs under `script-src 'self'`.
 */
export function referenceHead(): string {
  return '';
}

export function referenceBody(): string {
  return `<main id="reference" data-spec="${OPENAPI_FILE}">
<noscript><p class="noscript">The API reference needs JavaScript. The raw OpenAPI document is at <a href="${OPENAPI_FILE}">${OPENAPI_FILE}</a>.</p></noscript>
</main>
<script src="assets/redoc.standalone.js"></script>
<script src="assets/reference.js"></script>`;
}

/** Redoc's anchor for a tag: its name with runs of non-word characters as dashes. */
export function redocTagSlug(tag: string): string {
  return tag.replace(/[^\w]+/g, '-');
}

/** The anchors the reference page has, as Redoc names them: `tag/<Tag>` and `tag/<Tag>/operation/<operationId>`. */
export function referenceTargets(document: any): Set<string> {
  const targets = new Set<string>();
  for (const tag of document.tags ?? []) targets.add(`tag/${redocTagSlug(tag.name)}`);
  for (const item of Object.values<any>(document.paths)) {
    for (const operation of Object.values<any>(item)) {
      const tag = operation.tags?.[0];
      if (tag && operation.operationId) targets.add(`tag/${redocTagSlug(tag)}/operation/${operation.operationId}`);
    }
  }
  return targets;
}
