/** Small helpers over the records a connector streams. */
import type { DataRecord } from './types.ts';

/** Reads the whole stream and groups it by object (erasure needs every record before it changes any). */
export async function groupByObject<K extends string>(records: AsyncIterable<DataRecord>): Promise<Map<K, DataRecord[]>> {
  const byObject = new Map<K, DataRecord[]>();
  for await (const record of records) {
    const object = record.object as K;
    let list = byObject.get(object);
    if (!list) byObject.set(object, (list = []));
    list.push(record);
  }
  return byObject;
}
