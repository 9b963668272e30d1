/**
 * Where a field or object came from; Art. 20 portability exports only `provided` and `observed`. Its own
 * module so configuration and the dataset schema (which configuration embeds) share it without a cycle.
 */
export const ORIGINS = ['provided', 'observed', 'inferred', 'derived'] as const;
export type Origin = (typeof ORIGINS)[number];
