/**
 * Art. 19 in a subject's mail: the lines naming the recipients told of an action (../art19/recipients.ts),
 * and those our staff are telling. As in the erasure report, of the latter only those linked to one of
 * our systems: the subject is not told that staff will inform public authorities or a buyer, recipients
 * the configuration ties to no data. The words are the type's own (its i18n keys).
 */
import { recipientLabel, type DsarConfig } from '#commons/config';
import { linkedSystems, type Art19Action } from '../art19/recipients.ts';
import type { MessageKey, Translator } from '../i18n/index.ts';
import type { RequestRecord } from '../requests/model.ts';

export function recipientLines(config: DsarConfig, r: RequestRecord, action: Art19Action, t: Translator, keys: { told: MessageKey; byStaff: MessageKey }): string[] {
  const art19 = r.art19?.[action];
  if (!art19) return [];
  const byStaff = art19.byStaff.filter((x) => linkedSystems(config, x.name).length > 0);
  const names = (list: Array<{ name: string }>) => list.map((x) => recipientLabel(config, x.name, t.locale)).join(', ');
  return [
    ...(art19.notified.length ? [t.t(keys.told, { names: names(art19.notified) })] : []),
    ...(byStaff.length ? [t.t(keys.byStaff, { names: names(byStaff) })] : []),
  ];
}
