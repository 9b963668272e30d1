/**
 * What a rectification changed, as its act step recorded it (per system, per field; never the values):
 * the systems where a field was corrected, and which fields. Read by the subject's report, by Art. 19
 * (whom to tell, and the recipient's notice) and by nothing that needs the values.
 */
import type { RectifiableField } from '#connectors/types';
import type { RequestRecord } from '../requests/model.ts';

/** The systems (connector ids) where the correction was written and confirmed by reading it back. */
export function correctedSystems(r: Pick<RequestRecord, 'connectors'>): string[] {
  return Object.values(r.connectors ?? {})
    .filter((o) => o.status === 'succeeded' && o.rectification?.applies && o.rectification.items.some((i) => i.status === 'corrected'))
    .map((o) => o.connectorId);
}

/** The fields corrected anywhere, each once, in the order first met. */
export function correctedFields(r: Pick<RequestRecord, 'connectors'>): RectifiableField[] {
  const fields = Object.values(r.connectors ?? {}).flatMap((o) =>
    o.status === 'succeeded' && o.rectification?.applies ? o.rectification.items.filter((i) => i.status === 'corrected').map((i) => i.field) : [],
  );
  return [...new Set(fields)];
}
