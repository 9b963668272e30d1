import { describe, expect, it } from 'vitest';
import { subjectHash } from '#commons/tokens';
import { isSuppressed, suppressedAmong } from '#domain/suppression/list';
import { MemorySuppressionList } from '../../../support/in-memory-context.ts';

describe('the suppression list', () => {
  it('finds an address however it is written, by the hash of the normalised address', async () => {
    const list = new MemorySuppressionList();
    await list.record(subjectHash('alice@example.com'), 'dsar_1', '2026-03-02T10:00:00.000Z');

    expect(await isSuppressed(list, ' Alice@Example.COM ')).toMatchObject({ since: '2026-03-02T10:00:00.000Z' });
    expect(await isSuppressed(list, 'bob@example.com')).toBeUndefined();
  });

  it('answers, of a batch, the addresses on the list as they were given, each duplicate looked up once', async () => {
    const list = new MemorySuppressionList();
    await list.record(subjectHash('alice@example.com'), 'dsar_1', '2026-03-02T10:00:00.000Z');
    await list.record(subjectHash('dana@example.com'), 'dsar_2', '2026-04-01T08:00:00.000Z');
    const reads: string[] = [];
    const get = list.get.bind(list);
    list.get = async (hash) => {
      reads.push(hash);
      return get(hash);
    };
    const batch = ['Alice@Example.com', 'bob@example.com', 'alice@example.com', ...Array.from({ length: 60 }, (_, i) => `crowd${i}@example.com`), 'dana@example.com'];

    expect(await suppressedAmong(list, batch)).toEqual([
      { email: 'Alice@Example.com', since: '2026-03-02T10:00:00.000Z' },
      { email: 'alice@example.com', since: '2026-03-02T10:00:00.000Z' },
      { email: 'dana@example.com', since: '2026-04-01T08:00:00.000Z' },
    ]);
    expect(reads).toHaveLength(63);
  });
});
