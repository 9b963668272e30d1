/** Norsk bokmål. Typed as the whole catalogue: a message missing here is a compile error. */
import type { Catalogue } from '../../catalogue.ts';
import { common } from './common.ts';
import { release } from './release.ts';

export const nb: Catalogue = {
  ...common,
  ...release,
};
