import type { ResourceItem } from './resource.registry';

/** One item as the API serves it, plus `"resource"` first, as one JSON line (no line break). */
export function formatNdjson(entry: ResourceItem): string {
  return JSON.stringify({ resource: entry.resource, ...entry.item });
}
