/**
 * The erasure report in the subject's language. The stored report keeps what staff and the audit read:
 * systems and recipients by their English names, reasons for keeping records as the connector gave
 * them. What the configuration says per language (a system's `displayName`, a recipient's `label`, a
 * `retain` policy's reasons) is put back in the reader's language when the report is shown: in the
 * report mail and on the status page. A name or reason the configuration no longer has stays as stored.
 */
import { recipientLabel, retainedReasonIn, storedNameIn, type DsarConfig } from '#commons/config';
import type { ErasureReport } from '../requests/model.ts';

export function erasureReportIn(config: DsarConfig, report: ErasureReport, language: string): ErasureReport {
  const system = (name: string) => storedNameIn(config, name, language);
  const recipient = (name: string) => recipientLabel(config, name, language);
  return {
    ...report,
    systems: report.systems.map((s) => ({
      ...s,
      displayName: system(s.displayName),
      // A reason with a catalogue key is already read in the subject's language (erasure.why.*).
      items: s.items.map((i) => {
        if (i.action !== 'retained' || i.reason) return i;
        const read = retainedReasonIn(config, s.connectorId, i.object, i, language);
        return read ? { ...i, ...read } : i;
      }),
    })),
    // Told through its system's erasure call: named as the system; told by email: the notice's recipient.
    recipientsNotified: report.recipientsNotified.map((r) => ({ ...r, name: r.how === 'erasure_api' ? system(r.name) : recipient(r.name) })),
    notErased: report.notErased.map((n) => ({ ...n, displayName: system(n.displayName) })),
    ...(report.recipientsNotTold
      ? { recipientsNotTold: report.recipientsNotTold.map((r) => ({ ...r, name: recipient(r.name), ...(r.systems ? { systems: r.systems.map(system) } : {}) })) }
      : {}),
  };
}
