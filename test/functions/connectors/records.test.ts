import { describe, expect, it } from 'vitest';
import { groupByObject, withOnly } from '#connectors/records';
import type { DataRecord } from '#connectors/types';

async function* stream(records: DataRecord[], failAfter?: number): AsyncIterable<DataRecord> {
  let n = 0;
  for (const r of records) {
    if (failAfter !== undefined && n++ >= failAfter) throw new Error('stream broke');
    yield r;
  }
}

const rec = (object: string, id: string): DataRecord => ({ object, id, data: { id } });

describe('groupByObject', () => {
  it('groups the records by object, keeping the order of objects and of records within each', async () => {
    const grouped = await groupByObject(stream([rec('Contact', '1'), rec('Lead', '2'), rec('Contact', '3'), rec('Task', '4'), rec('Lead', '5')]));

    expect([...grouped.keys()]).toEqual(['Contact', 'Lead', 'Task']);
    expect(grouped.get('Contact')!.map((r) => r.id)).toEqual(['1', '3']);
    expect(grouped.get('Lead')!.map((r) => r.id)).toEqual(['2', '5']);
    expect(grouped.get('Task')).toEqual([rec('Task', '4')]);
  });

  it('keeps of each record only what the erasure says it needs', async () => {
    const grouped = await groupByObject(stream([rec('Charge', '1'), { object: 'Customer', id: '2', data: { id: '2', email: 'a@b.c', name: 'A' } }]), (r) =>
      r.object === 'Charge' ? withOnly(r, []) : withOnly(r, ['email', 'phone']),
    );

    expect(grouped.get('Charge')).toEqual([{ object: 'Charge', id: '1', data: {} }]);
    expect(grouped.get('Customer')).toEqual([{ object: 'Customer', id: '2', data: { email: 'a@b.c' } }]);
  });

  it('gives an empty map for an empty stream', async () => {
    const grouped = await groupByObject(stream([]));

    expect(grouped.size).toBe(0);
  });

  it('fails when the stream fails, so nothing is erased from a partial read', async () => {
    const result = groupByObject(stream([rec('Contact', '1'), rec('Contact', '2')], 1));

    await expect(result).rejects.toThrow('stream broke');
  });
});
