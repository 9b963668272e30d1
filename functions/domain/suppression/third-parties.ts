/**
 * After a marketing opt-out, the third parties the company sold or shared the subject's data with are
 * told to stop and to pass the request on (11 CCR §7026(f)(2)-(3); `marketing.thirdParties`). One with a
 * contact address is mailed, once per request (claimed through ../notifications/once.ts, so a retried
 * closing step or a racing one mails nothing twice); one without gets a follow-up task for staff to tell
 * it, added once (its ref). Runs in the closing step, after the close is claimed and before the subject's
 * confirmation, which names them all.
 */
import { localText } from '#commons/local-text';
import type { AppContext } from '../context.ts';
import { mailOnce } from '../notifications/once.ts';
import { thirdPartyOptOutMail } from '../notifications/third-party-opt-out.ts';
import type { RequestRecord } from '../requests/model.ts';
import { addTodo } from '../todos/index.ts';

/** The once-per-request key of the opt-out mail to one third party. */
export const thirdPartyMailKey = (id: string) => `optout-third-party:${id}`;

export async function tellThirdParties(ctx: AppContext, request: RequestRecord): Promise<void> {
  const { config, mailer, repo } = ctx;
  const { requestId } = request;
  for (const thirdParty of config.marketing.thirdParties) {
    if (thirdParty.contact.email) {
      const sent = await mailOnce(ctx, requestId, thirdPartyMailKey(thirdParty.id), () =>
        mailer.send(thirdParty.contact.email!, thirdPartyOptOutMail(config, thirdParty, request), { requestId }),
      );
      if (sent) await repo.audit(requestId, 'system', 'optout.third_party_told', { thirdParty: thirdParty.id });
    } else {
      await addTodo(ctx, requestId, {
        kind: 'optout-third-party',
        ref: `optout-third-party:${thirdParty.id}`,
        title: `Tell ${localText(thirdParty.name, 'en')} to stop selling or sharing the subject's data and pass the opt-out on (11 CCR §7026(f))`,
      });
    }
  }
}
