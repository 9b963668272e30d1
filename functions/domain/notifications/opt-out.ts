/**
 * The mail that closes a marketing opt-out: in which systems marketing stopped, each confirmed by its
 * read-back and dated, that a hash of the address stays on the suppression list (and why, since it
 * outlives even an erasure), and that service messages are not marketing. Built with `compose`, in the
 * subject's language.
 */
import { connectorName, type DsarConfig } from '#commons/config';
import { localText } from '#commons/local-text';
import type { Translator } from '../i18n/index.ts';
import type { RequestRecord } from '../requests/model.ts';
import { requestTimeZone } from '../deadlines/request-zone.ts';
import { compose, type Email } from './compose.ts';

export function optOutConfirmation(config: DsarConfig, r: RequestRecord, t: Translator): Email {
  const zone = requestTimeZone(config, r);
  const name = (id: string) => connectorName(config, id, t.locale);
  const outcomes = Object.values(r.connectors ?? {});
  const done = outcomes
    .filter((o) => o.status === 'succeeded' && o.suppression?.applies && o.suppression.items.some((i) => i.suppressed > 0))
    .map((o) => t.t('objection.mail.system', { system: name(o.connectorId), date: t.date(o.suppression!.confirmedAt ?? o.finishedAt ?? r.receivedAt, { timeZone: zone }) }));
  const missing = outcomes.filter((o) => o.status === 'accepted_missing').map((o) => name(o.connectorId));
  return compose(
    config,
    t.t('objection.mail.subject', { requestId: r.requestId }),
    [
      t.t('objection.mail.greeting'),
      done.length ? { title: t.t('objection.mail.done'), items: done } : t.t('objection.mail.none'),
      ...(missing.length ? [t.t('objection.mail.failed', { systems: missing.join(', ') })] : []),
      // No code was asked: the subject (or whoever gave the address) learns that nothing was sent out.
      ...(r.verificationWaived ? [t.t('optout.mail.noCode')] : []),
      // 11 CCR §7026(f): the third parties the data was sold or shared with are told too, and named here.
      ...(config.marketing.thirdParties.length
        ? [{ title: t.t('optout.mail.thirdParties'), items: config.marketing.thirdParties.map((p) => (p.what ? t.t('optout.mail.thirdPartyWhat', { name: localText(p.name, t.locale), what: localText(p.what, t.locale) }) : t.t('optout.mail.thirdParty', { name: localText(p.name, t.locale) }))) }]
        : []),
      t.t('objection.mail.kept'),
      t.t('objection.mail.service'),
    ],
    t,
  );
}
