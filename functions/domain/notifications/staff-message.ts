/**
 * The mail that carries a staff member's message to the subject, in the subject's language. Staff's
 * words are quoted as typed, as a paragraph of their own (compose escapes it for the HTML body, so
 * nothing typed can become markup or a link); the mail says how to answer (on the request's status
 * page, whose link is in the acknowledgement: only its hash is kept, so this mail cannot repeat it).
 */
import type { DsarConfig } from '#commons/config';
import { translator } from '../i18n/index.ts';
import type { RequestRecord } from '../requests/model.ts';
import { compose, type Email } from './compose.ts';

export function staffMessageMail(config: DsarConfig, r: Pick<RequestRecord, 'requestId' | 'type' | 'locale'>, text: string, question: boolean): Email {
  const t = translator(r.locale);
  const values = { requestId: r.requestId, type: t.t(`type.${r.type}`) };
  return compose(
    config,
    t.t(question ? 'mail.staffMessage.question.subject' : 'mail.staffMessage.subject', values),
    [t.t('mail.staffMessage.greeting'), t.t(question ? 'mail.staffMessage.question.intro' : 'mail.staffMessage.intro', values), text, t.t('mail.staffMessage.answer')],
    t,
  );
}
