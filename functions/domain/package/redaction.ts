/**
 * What staff withheld from a package before release (GDPR Art. 15(4): others' rights and freedoms;
 * staff's private remarks; legal privilege), applied to the records of one object as the package is
 * built: a whole object is left out, a withheld record is dropped, a withheld field (a dotted path) is
 * taken out of the one record named or of every record of the object. Only names and ids are held here.
 */
import type { RecordView } from './view.ts';

/** One withheld part, as the request records it (functions/domain/requests/model.ts, Withholding). */
export interface WithheldPart {
  connectorId: string;
  object: string;
  recordId?: string;
  field?: string;
}

export class Redaction {
  /** The whole object is withheld: nothing of it goes into the package. */
  readonly wholeObject: boolean;
  private readonly records = new Set<string>();
  /** Fields withheld from every record of the object. */
  private readonly everyRecordFields: string[] = [];
  /** Fields withheld from one record, by its id. */
  private readonly recordFields = new Map<string, string[]>();

  constructor(parts: readonly WithheldPart[], connectorId: string, object: string) {
    const mine = parts.filter((p) => p.connectorId === connectorId && p.object === object);
    this.wholeObject = mine.some((p) => p.recordId === undefined && p.field === undefined);
    for (const p of mine) {
      if (p.recordId !== undefined && p.field === undefined) this.records.add(p.recordId);
      else if (p.field !== undefined && p.recordId === undefined) this.everyRecordFields.push(p.field);
      else if (p.field !== undefined && p.recordId !== undefined) {
        this.recordFields.set(p.recordId, [...(this.recordFields.get(p.recordId) ?? []), p.field]);
      }
    }
  }

  /** Whether anything of this object is withheld (a filter that changes nothing costs nothing). */
  get empty(): boolean {
    return !this.wholeObject && this.records.size === 0 && this.everyRecordFields.length === 0 && this.recordFields.size === 0;
  }

  /** The record as it may go out, or undefined when it is withheld whole. */
  apply(view: RecordView): RecordView | undefined {
    if (this.wholeObject || this.records.has(view.id)) return undefined;
    const fields = [...this.everyRecordFields, ...(this.recordFields.get(view.id) ?? [])];
    if (fields.length === 0) return view;
    // A copy: the same parsed record is not shared, but the view must never change what it was built from.
    const data = structuredClone(view.data);
    for (const field of fields) removePath(data, field.split('.'));
    return { ...view, data };
  }
}

function removePath(obj: Record<string, unknown>, parts: string[]): void {
  const [head, ...rest] = parts;
  if (head === undefined || !Object.hasOwn(obj, head)) return;
  if (rest.length === 0) {
    delete obj[head];
    return;
  }
  const inner = obj[head];
  if (inner !== null && typeof inner === 'object' && !Array.isArray(inner)) removePath(inner as Record<string, unknown>, rest);
}
