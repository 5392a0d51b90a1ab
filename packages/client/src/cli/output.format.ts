import { formatCef, type FormatContext } from './cef.format';
import { formatEcs } from './ecs.format';
import { formatNdjson } from './ndjson.format';
import type { ResourceItem } from './resource.registry';

export const FORMAT_NAMES = ['ndjson', 'cef', 'ecs'] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];

/** Renders one item in a format, as one line without its line break. */
export function formatItem(format: FormatName, entry: ResourceItem, context: FormatContext): string {
  switch (format) {
    case 'ndjson':
      return formatNdjson(entry);
    case 'cef':
      return formatCef(entry, context);
    case 'ecs':
      return formatEcs(entry, context);
  }
}
