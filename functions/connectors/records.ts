/** Small helpers over the records a connector streams. */
import type { DataRecord, ErasureItem } from './types.ts';

/**
 * Reads the whole stream and groups it by object (erasure needs every record before it changes any).
 * `keep` says what of each record the erasure still needs: a record kept only to be counted (retained)
 * or deleted by id need not hold its data, so a subject with thousands of retained billing records does
 * not keep all of them in memory while the erasure runs.
 */
export async function groupByObject<K extends string>(
  records: AsyncIterable<DataRecord>,
  keep: (record: DataRecord) => DataRecord = (record) => record,
): Promise<Map<K, DataRecord[]>> {
  const byObject = new Map<K, DataRecord[]>();
  for await (const record of records) {
    const object = record.object as K;
    let list = byObject.get(object);
    if (!list) byObject.set(object, (list = []));
    list.push(keep(record));
  }
  return byObject;
}

/** The record with only the named fields of its data (those an erasure reads). */
export function withOnly(record: DataRecord, fields: readonly string[]): DataRecord {
  const data: Record<string, unknown> = {};
  for (const f of fields) if (f in record.data) data[f] = record.data[f];
  return { ...record, data };
}

/** Why records are kept, as the erasure report states it (a `retain` policy is one). */
export interface Retention {
  legalBasis: string;
  retentionPeriod: string;
  /**
   * The catalogue key (`erasure.why.*`, functions/domain/i18n) under which the subject's report says this
   * reason in the subject's language; `legalBasis` stays the record staff and the audit read.
   */
  reason?: string;
}

/** The report line for `count` records of `object` that are kept, and the legal basis and period that keep them. */
export function retained(object: string, count: number, why: Retention): ErasureItem {
  return { object, action: 'retained', count, legalBasis: why.legalBasis, retentionPeriod: why.retentionPeriod, ...(why.reason ? { reason: why.reason } : {}) };
}
