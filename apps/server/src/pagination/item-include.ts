import type { IncludableField } from '@1security/contract';

/** Which opt-in fields (`include=`) the items of a list or changes page carry. */
export interface ItemInclude {
  rawData: boolean;
}

/** Default pages: no opt-in field, so that they stay small. */
export const NO_INCLUDE: ItemInclude = { rawData: false };

/** The parsed `include` query parameter as flags. */
export function itemIncludeOf(include: readonly IncludableField[] | undefined): ItemInclude {
  return { rawData: include?.includes('rawData') ?? false };
}
