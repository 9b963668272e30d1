/**
 * The mail that closes a rectification (GDPR Art. 16; 11 CCR §7023): what was corrected where (each
 * confirmed by its system's read-back), what staff refused and why, with the right to complain to the
 * supervisory authority when anything was refused, systems that could not be confirmed, and, under
 * Art. 19, which recipients of the data were told of the correction and which our staff are telling
 * (../rectification/recipients.ts, run before this mail). Field names, never the values:
 * the mail says what changed, not the data. Built with `compose`, in the subject's language.
 */
import { connectorName, type DsarConfig } from '#commons/config';
import type { RectifiableField } from '#connectors/types';
import type { Translator } from '../i18n/index.ts';
import type { RequestRecord } from '../requests/model.ts';
import type { RectificationChoice } from '../rectification/store.ts';
import { compose, type Email } from './compose.ts';
import { recipientLines } from './recipient-lines.ts';
import { complaintRight } from './templates.ts';

export function rectificationReport(config: DsarConfig, r: RequestRecord, choice: RectificationChoice | undefined, t: Translator): Email {
  const name = (id: string) => connectorName(config, id, t.locale);
  const field = (f: RectifiableField) => t.t(`rectification.field.${f}`);
  const outcomes = Object.values(r.connectors ?? {});
  const corrected = outcomes.flatMap((o) =>
    o.status === 'succeeded' && o.rectification?.applies
      ? [...new Set(o.rectification.items.filter((i) => i.status === 'corrected').map((i) => i.field))].map((f) => t.t('rectification.mail.corrected', { system: name(o.connectorId), field: field(f) }))
      : [],
  );
  const refused = (choice?.refusals ?? []).map((x) => t.t('rectification.mail.refused', { field: field(x.field), reason: x.reason }));
  const missing = outcomes.filter((o) => o.status === 'accepted_missing').map((o) => name(o.connectorId));
  return compose(
    config,
    t.t('rectification.mail.subject', { requestId: r.requestId }),
    [
      t.t('rectification.mail.greeting'),
      corrected.length ? { title: t.t('rectification.mail.done'), items: corrected } : t.t('rectification.mail.none'),
      ...(refused.length ? [{ title: t.t('rectification.mail.refusedIntro'), items: refused }, complaintRight(config, t)] : []),
      ...(missing.length ? [t.t('rectification.mail.failed', { systems: missing.join(', ') })] : []),
      ...recipientLines(config, r, 'rectification', t, { told: 'rectification.mail.recipientsTold', byStaff: 'rectification.mail.recipientsByStaff' }),
    ],
    t,
  );
}
