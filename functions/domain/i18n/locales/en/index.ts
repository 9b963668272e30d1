/** English, the reference catalogue and the fallback. One file per area keeps each area's texts together. */
import { common } from './common.ts';
import { release } from './release.ts';

export const en = {
  ...common,
  ...release,
};
