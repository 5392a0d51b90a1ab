import type { Scope } from './common.schemas';

/** Carried by every route of the contract; the server enforces it. */
export interface RouteMetadata {
  /** The scope a key needs for this route; null when any valid key will do. */
  scope: Scope | null;
}
