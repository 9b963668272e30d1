/** English, the reference catalogue and the fallback. One file per area keeps each area's texts together. */
import { agents } from './agents.ts';
import { common } from './common.ts';
import { erasure } from './erasure.ts';
import { mail } from './mail.ts';
import { messages } from './messages.ts';
import { objection } from './objection.ts';
import { optoutExtra } from './optout-extra.ts';
import { rectification } from './rectification.ts';
import { pages } from './pages.ts';
import { portability } from './portability.ts';
import { release } from './release.ts';
import { report } from './report.ts';
import { restriction } from './restriction.ts';
import { processor } from './processor.ts';

export const en = {
  ...common,
  ...pages,
  ...mail,
  ...erasure,
  ...messages,
  ...report,
  ...release,
  ...processor,
  ...agents,
  ...objection,
  ...optoutExtra,
  ...rectification,
  ...portability,
  ...restriction,
};
