/** English, the reference catalogue and the fallback. One file per area keeps each area's texts together. */
import { common } from './common.ts';
import { erasure } from './erasure.ts';
import { mail } from './mail.ts';
import { messages } from './messages.ts';
import { pages } from './pages.ts';
import { portability } from './portability.ts';
import { release } from './release.ts';
import { report } from './report.ts';

export const en = {
  ...common,
  ...pages,
  ...mail,
  ...erasure,
  ...messages,
  ...report,
  ...release,
  ...portability,
};
