/**
 * The two mails an agent's filing causes, besides the subject's own acknowledgement and code:
 * - to the SUBJECT, in the subject's language: an agent filed for you, who (the name as typed, quoted on
 *   its own labelled line), that nothing happens until you confirm with your own code, that the answer
 *   comes only to you, and how to object;
 * - to the AGENT, in the agent's language: the request was received, the person is asked to confirm
 *   directly, and a link to the status (status only). No data, no code, no subject's name or address.
 * Both can be caused by an anonymous caller, so both count against the per-recipient mail limit.
 */
import type { DsarConfig } from '#commons/config';
import type { Translator } from '../i18n/index.ts';
import type { MessageKey } from '../i18n/catalogue.ts';
import { compose, type Email } from './compose.ts';

interface AgentMailFacts {
  requestId: string;
  type: string;
  receivedDate: string;
}

const typeWords = (t: Translator, type: string) => t.t(`type.${type}` as MessageKey);

/** `codeWaived`: a marketing opt-out that goes ahead without the subject's code (../requests/verification-waiver.ts). */
export function agentFiledNotice(config: DsarConfig, r: AgentMailFacts & { agentName: string; organisation?: string; codeWaived?: boolean }, t: Translator): Email {
  const agent = r.organisation ? `${r.agentName} (${r.organisation})` : r.agentName;
  return {
    ...compose(config, t.t('agents.mail.notice.subject', { requestId: r.requestId }), [
      t.t('mail.greeting'),
      t.t('agents.mail.notice.body', { type: typeWords(t, r.type), requestId: r.requestId, received: t.date(r.receivedDate) }),
      t.t('agents.mail.notice.agent', { agent }),
      ...(r.codeWaived
        ? [t.t('optout.mail.agentNotice', { email: config.organisation.dpo.email })]
        : [
            // Where staff may accept a power of attorney instead of the code, the subject is told so.
            t.t(config.agents.acceptPowerOfAttorney ? 'agents.mail.notice.verify_or_attorney' : 'agents.mail.notice.verify'),
            t.t('agents.mail.notice.object', { email: config.organisation.dpo.email }),
          ]),
    ], t),
    volume: 'anonymous',
  };
}

export function agentAcknowledgement(config: DsarConfig, r: AgentMailFacts, statusUrl: string, t: Translator): Email {
  return {
    ...compose(config, t.t('agents.mail.ack.subject', { requestId: r.requestId }), [
      t.t('mail.greeting'),
      t.t('agents.mail.ack.body', { type: typeWords(t, r.type), requestId: r.requestId, received: t.date(r.receivedDate) }),
      { text: t.t('agents.mail.ack.follow'), href: statusUrl },
    ], t),
    volume: 'anonymous',
  };
}
