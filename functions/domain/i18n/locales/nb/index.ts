/** Norsk bokmål. Typed as the whole catalogue: a message missing here is a compile error. */
import type { Catalogue } from '../../catalogue.ts';
import { common } from './common.ts';
import { erasure } from './erasure.ts';
import { mail } from './mail.ts';
import { messages } from './messages.ts';
import { objection } from './objection.ts';
import { pages } from './pages.ts';

export const nb: Catalogue = {
  ...common,
  ...pages,
  ...mail,
  ...erasure,
  ...messages,
  ...objection,
};
