import type { FormatContext } from './cef.format';
import { formatItem, type FormatName } from './output.format';
import type { OutputRecord } from './output.sink';
import { eventTimeOf, type ResourceItem, type ResourceName } from './resource.registry';

/** A batch of API items → the records an output writes. */
export function toOutputRecords(
  resource: ResourceName,
  items: readonly unknown[],
  format: FormatName,
  context: FormatContext,
): OutputRecord[] {
  return items.map((item) => {
    const entry = { resource, item } as ResourceItem;
    return {
      resource,
      severity: entry.item.severity,
      timestamp: eventTimeOf(entry),
      line: formatItem(format, entry, context),
    };
  });
}
