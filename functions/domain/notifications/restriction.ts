/**
 * The three mails of a restriction (GDPR Art. 18), in the subject's language, built with `compose`:
 * - restricted: where the data is now marked restricted (each system's read-back, dated), where staff
 *   mark it by hand, what a restriction means (Art. 18(2)), and that they will be told before it ends;
 * - the notice before lifting (Art. 18(3)): from which day, and staff's reason, quoted as written;
 * - lifted: where the mark was removed, and that the privacy notice applies again.
 */
import { connectorName, type DsarConfig } from '#commons/config';
import type { Translator } from '../i18n/index.ts';
import type { ConnectorOutcome, RequestRecord } from '../requests/model.ts';
import { requestTimeZone } from '../deadlines/request-zone.ts';
import { markedThroughApi, restrictionChanged } from '../restriction/model.ts';
import { compose, type Email } from './compose.ts';
import { recipientLines } from './recipient-lines.ts';

function outcomes(r: RequestRecord): ConnectorOutcome[] {
  return Object.values(r.connectors ?? {});
}

export function restrictedMail(config: DsarConfig, r: RequestRecord, t: Translator): Email {
  const zone = requestTimeZone(config, r);
  const name = (id: string) => connectorName(config, id, t.locale);
  const all = outcomes(r);
  const done = all
    .filter(markedThroughApi)
    .map((o) => t.t('restriction.mail.system', { system: name(o.connectorId), date: t.date(o.restriction!.confirmedAt ?? o.finishedAt ?? r.receivedAt, { timeZone: zone }) }));
  const byHand = all.filter((o) => (o.restriction?.byHand ?? 0) > 0).map((o) => name(o.connectorId));
  const missing = all.filter((o) => o.status === 'accepted_missing').map((o) => name(o.connectorId));
  return compose(
    config,
    t.t('restriction.mail.subject', { requestId: r.requestId }),
    [
      t.t('restriction.mail.greeting'),
      done.length ? { title: t.t('restriction.mail.done'), items: done } : t.t('restriction.mail.none'),
      ...(byHand.length ? [t.t('restriction.mail.byHand', { systems: byHand.join(', ') })] : []),
      ...(missing.length ? [t.t('restriction.mail.failed', { systems: missing.join(', ') })] : []),
      ...recipientLines(config, r, 'restriction', t, { told: 'restriction.mail.recipientsTold', byStaff: 'restriction.mail.recipientsByStaff' }),
      t.t('restriction.mail.meaning'),
      t.t('restriction.mail.before'),
    ],
    t,
  );
}

export function liftingNotice(config: DsarConfig, r: RequestRecord, t: Translator): Email {
  const notice = r.restriction?.notice;
  if (!notice) throw new Error(`request ${r.requestId} has no lifting notice on record`);
  return compose(
    config,
    t.t('restriction.notice.subject', { requestId: r.requestId }),
    [
      t.t('restriction.mail.greeting'),
      t.t('restriction.notice.intro', { date: t.date(notice.liftOn) }),
      t.t('restriction.notice.reason', { reason: notice.reason }),
      t.t('restriction.notice.object'),
    ],
    t,
  );
}

export function liftedMail(config: DsarConfig, r: RequestRecord, t: Translator): Email {
  const systems = outcomes(r)
    .filter(restrictionChanged)
    .map((o) => connectorName(config, o.connectorId, t.locale));
  return compose(
    config,
    t.t('restriction.lifted.subject', { requestId: r.requestId }),
    [
      t.t('restriction.mail.greeting'),
      systems.length ? t.t('restriction.lifted.done', { systems: systems.join(', ') }) : t.t('restriction.lifted.none'),
      ...recipientLines(config, r, 'restriction_lifted', t, { told: 'restriction.lifted.recipientsTold', byStaff: 'restriction.lifted.recipientsByStaff' }),
      t.t('restriction.lifted.after'),
    ],
    t,
  );
}
