/** English, the reference catalogue and the fallback. One file per area keeps each area's texts together. */
import { common } from './common.ts';
import { erasure } from './erasure.ts';
import { mail } from './mail.ts';
import { messages } from './messages.ts';
import { objection } from './objection.ts';
import { pages } from './pages.ts';

export const en = {
  ...common,
  ...pages,
  ...mail,
  ...erasure,
  ...messages,
  ...objection,
};
