/**
 * The pages of the docs site, in navigation order. Each guide is `guides/<slug>.md`; the
 * overview becomes the home page. The build fails if a guide file is not listed here, or a
 * listed guide has no file, so the navigation always reaches every guide.
 */
export interface GuidePage {
  slug: string;
  /** The title shown in the navigation (the page's own title is its first `#` heading). */
  navTitle: string;
}

export const OVERVIEW: GuidePage = { slug: 'overview', navTitle: 'Overview' };

export const GUIDES: readonly GuidePage[] = [
  { slug: 'quickstart', navTitle: 'Quickstart' },
  { slug: 'authentication', navTitle: 'Authentication and keys' },
  { slug: 'pagination', navTitle: 'Pagination' },
  { slug: 'incremental-sync', navTitle: 'Incremental sync' },
  { slug: 'rate-limits', navTitle: 'Rate limits and backoff' },
  { slug: 'errors', navTitle: 'Errors' },
  { slug: 'siem-integration', navTitle: 'SIEM integration' },
  { slug: 'webhooks', navTitle: 'Webhooks' },
  { slug: 'onesec', navTitle: 'onesec forwarder' },
  { slug: 'siem-field-mappings', navTitle: 'CEF and ECS mappings' },
  { slug: 'typed-client', navTitle: 'Typed client' },
  { slug: 'running-the-server', navTitle: 'Running the server' },
];

/** Every Markdown page: the overview first, then the guides. */
export const MARKDOWN_PAGES: readonly GuidePage[] = [OVERVIEW, ...GUIDES];

/** The file a Markdown page is published as, relative to the site root. */
export function htmlFileOf(slug: string): string {
  return slug === OVERVIEW.slug ? 'index.html' : `${slug}.html`;
}

export const REFERENCE_FILE = 'reference.html';
export const OPENAPI_FILE = 'openapi.json';
