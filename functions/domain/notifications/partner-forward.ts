/**
 * Processor mode's two mails (functions/domain/partners/): the request sent on to the partner, who is
 * the controller, and the subject's notice naming the partner and how to reach it.
 *
 * The partner's mail carries only what the subject gave us on the request (type, dates, the verified
 * address and the name as typed) and our reference: nothing from our systems, which the partner may
 * have only on its own documented instruction. It goes to the contact address the data processing
 * agreement names, over the same SES channel (TLS to the receiving server) as every other mail.
 */
import type { DsarConfig, PartnerConfig } from '#commons/config';
import { translator } from '../i18n/index.ts';
import type { RequestRecord } from '../requests/model.ts';
import { compose, type Email } from './compose.ts';
import { localText } from '#commons/local-text';
import { typeWords } from './type-words.ts';

type Forwarded = Pick<RequestRecord, 'requestId' | 'type' | 'receivedDate' | 'dueDate' | 'jurisdiction' | 'subject' | 'locale'>;

/** The request, for the partner (the controller) to answer by the request's own due date. */
export function partnerForwardMail(config: DsarConfig, partner: PartnerConfig, r: Forwarded): Email {
  const t = translator(partner.contact.locale ?? 'en');
  const items = [
    t.t('mail.partner.reference', { requestId: r.requestId }),
    t.t('mail.partner.type', { type: typeWords(t, r.type) }),
    t.t('mail.partner.received', { date: t.date(r.receivedDate) }),
    t.t('mail.partner.deadline', { due: t.date(r.dueDate) }),
    t.t('mail.partner.law', { law: r.jurisdiction }),
    t.t('mail.partner.subjectEmail', { email: r.subject.email }),
    ...(r.subject.name ? [t.t('mail.partner.subjectName', { name: r.subject.name })] : []),
  ];
  return compose(
    config,
    t.t('mail.partner.subject', { requestId: r.requestId }),
    [
      t.t('mail.partner.greeting', { partner: partner.name }),
      t.t('mail.partner.intro', { organisation: config.organisation.name }),
      { title: t.t('mail.partner.details'), items },
      t.t('mail.partner.told'),
      t.t('mail.partner.instruct', { dpo: config.organisation.dpo.email, requestId: r.requestId }),
    ],
    t,
  );
}

/** The subject's notice: who the controller is, how to reach it, and that none of their data went out. */
export function forwardedToSubjectMail(config: DsarConfig, partner: PartnerConfig, r: Forwarded, forwardedAt: string): Email {
  const t = translator(r.locale);
  const values = { partner: partner.name };
  const c = partner.contact;
  const contact = [
    t.t('mail.forwarded.contact.email', { value: c.email }),
    ...(c.url ? [t.t('mail.forwarded.contact.url', { value: c.url })] : []),
    ...(c.phone ? [t.t('mail.forwarded.contact.phone', { value: c.phone })] : []),
    ...(c.address ? [t.t('mail.forwarded.contact.address', { value: c.address })] : []),
  ];
  const zone = config.organisation.timezone;
  return compose(
    config,
    t.t('mail.forwarded.subject', { requestId: r.requestId, ...values }),
    [
      t.t('mail.greeting'),
      t.t('mail.forwarded.body', { ...values, type: typeWords(t, r.type), date: t.date(forwardedAt, { timeZone: zone }) }),
      t.t('mail.forwarded.deadline', { ...values, due: t.date(r.dueDate) }),
      { title: t.t('mail.forwarded.contact', values), items: contact },
      t.t('mail.forwarded.nothing', values),
      t.t('mail.forwarded.complaint', { authority: localText(config.supervisoryAuthority.name, t.locale), url: config.supervisoryAuthority.url }),
    ],
    t,
  );
}
