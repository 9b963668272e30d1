/**
 * The mail that tells a third party the company sold or shared a person's data with that the person
 * opted out (11 CCR §7026(f)(2)-(3)): stop selling or sharing it, stop marketing with it, and pass the
 * request on. Built like the partner-forward mail: only what the subject gave us on the request (the
 * address) and our reference, nothing read from our systems; in the third party's language.
 */
import { localText } from '#commons/local-text';
import type { DsarConfig, ThirdPartyConfig } from '#commons/config';
import { translator } from '../i18n/index.ts';
import type { RequestRecord } from '../requests/model.ts';
import { compose, type Email } from './compose.ts';

type OptedOut = Pick<RequestRecord, 'requestId' | 'receivedDate' | 'subject'>;

export function thirdPartyOptOutMail(config: DsarConfig, party: ThirdPartyConfig, r: OptedOut): Email {
  const t = translator(party.contact.locale ?? 'en');
  const items = [
    t.t('optout.thirdParty.reference', { requestId: r.requestId }),
    t.t('optout.thirdParty.received', { date: t.date(r.receivedDate) }),
    t.t('optout.thirdParty.email', { email: r.subject.email }),
    ...(party.what ? [t.t('optout.thirdParty.what', { what: localText(party.what, t.locale) })] : []),
  ];
  return compose(
    config,
    t.t('optout.thirdParty.subject', { requestId: r.requestId }),
    [
      t.t('optout.thirdParty.greeting', { thirdParty: localText(party.name, t.locale) }),
      t.t('optout.thirdParty.intro', { organisation: config.organisation.name }),
      { title: t.t('optout.thirdParty.details'), items },
      t.t('optout.thirdParty.ask'),
      t.t('optout.thirdParty.confirm', { dpo: config.organisation.dpo.email, requestId: r.requestId }),
    ],
    t,
  );
}
