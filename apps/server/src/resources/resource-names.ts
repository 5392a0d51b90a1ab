/** Every resource, by the name its path, CLI `--type` and cursors use. The registry has one entry each. */
export const RESOURCE_NAMES = ['logs', 'monitoring-alerts', 'security-alerts'] as const;
export type ResourceName = (typeof RESOURCE_NAMES)[number];
