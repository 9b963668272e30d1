import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import type { DataRecord } from '#connectors/types';
import { StagingWriter, deleteStaging, objectSlug, readStaged } from '../../../../functions/domain/staging/index.ts';
import { stagedSize, type ByteRange } from '../../../../functions/domain/staging/reader.ts';
import { startS3rver, type S3rverHandle } from '../../../support/s3rver.ts';

const BUCKET = 'staging-bucket';
let s3rver: S3rverHandle;

beforeAll(async () => {
  s3rver = await startS3rver({ buckets: [BUCKET] });
});
afterAll(async () => {
  await s3rver.close();
});

async function collect(key: string, range?: ByteRange): Promise<DataRecord[]> {
  const out: DataRecord[] = [];
  for await (const r of readStaged(s3rver.s3, BUCKET, key, range)) out.push(r);
  return out;
}

async function listKeys(prefix: string): Promise<string[]> {
  const res = await s3rver.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (res.Contents ?? []).map((o) => o.Key!).sort();
}

describe('StagingWriter', () => {
  it('writes one JSON-lines object per object name and counts the records of each', async () => {
    const writer = new StagingWriter({ s3: s3rver.s3, bucket: BUCKET, requestId: 'dsar_multi', connectorId: 'stripe' });
    for (let i = 0; i < 5; i++) await writer.write({ object: 'charges', id: `ch_${i}`, data: { amount: i * 100 } });
    await writer.write({ object: 'customers', id: 'cus_1', data: { email: 'a@example.com', address: { city: 'Oslo' } } });
    await writer.write({ object: 'charges', id: 'ch_5', data: { amount: 500 }, origin: 'observed' });

    const result = await writer.close();

    expect(result.records).toBe(7);
    expect(result.objects).toEqual({ charges: 6, customers: 1 });
    expect(result.stagingKeys).toEqual({
      charges: 'staging/dsar_multi/stripe/charges.jsonl',
      customers: 'staging/dsar_multi/stripe/customers.jsonl',
    });
    const charges = await collect(result.stagingKeys.charges!);
    expect(charges.map((r) => r.id)).toEqual(['ch_0', 'ch_1', 'ch_2', 'ch_3', 'ch_4', 'ch_5']);
    expect(charges[5]).toEqual({ object: 'charges', id: 'ch_5', data: { amount: 500 }, origin: 'observed' });
    expect(await collect(result.stagingKeys.customers!)).toEqual([
      { object: 'customers', id: 'cus_1', data: { email: 'a@example.com', address: { city: 'Oslo' } } },
    ]);
  });

  it('writes nothing and reports zero when the run found no records', async () => {
    const writer = new StagingWriter({ s3: s3rver.s3, bucket: BUCKET, requestId: 'dsar_empty', connectorId: 'hubspot' });

    const result = await writer.close();

    expect(result).toEqual({ records: 0, objects: {}, stagingKeys: {} });
    expect(await listKeys('staging/dsar_empty/')).toEqual([]);
  });

  it('keeps the real object name in the records when the key needs a slug', async () => {
    const writer = new StagingWriter({ s3: s3rver.s3, bucket: BUCKET, requestId: 'dsar_slug', connectorId: 'internal' });
    await writer.write({ object: '../Call History/2024', id: '1', data: {} });
    await writer.write({ object: 'Call_History_2024', id: '2', data: {} });

    const result = await writer.close();

    const key = result.stagingKeys['../Call History/2024']!;
    expect(key).toMatch(/^staging\/dsar_slug\/internal\/Call_History_2024-[0-9a-f]{10}\.jsonl$/);
    expect(result.stagingKeys['Call_History_2024']).toBe('staging/dsar_slug/internal/Call_History_2024.jsonl');
    expect((await collect(key))[0]!.object).toBe('../Call History/2024');
    expect(objectSlug('')).toMatch(/^object-[0-9a-f]{10}$/);
  });

  it('streams a multipart upload for a large object and reads every line back in order', async () => {
    const writer = new StagingWriter({
      s3: s3rver.s3,
      bucket: BUCKET,
      requestId: 'dsar_large',
      connectorId: 'calls',
      partSize: 5 * 1024 * 1024,
    });
    const n = 40_000; // about 12 MiB: three parts
    const filler = 'x'.repeat(250);
    for (let i = 0; i < n; i++) await writer.write({ object: 'calls', id: String(i), data: { i, filler, name: 'Ærlig Åse 🎥' } });

    const result = await writer.close();

    expect(result.objects).toEqual({ calls: n });
    let expected = 0;
    for await (const r of readStaged(s3rver.s3, BUCKET, result.stagingKeys.calls!)) {
      expect(r.id).toBe(String(expected));
      expect(r.data.name).toBe('Ærlig Åse 🎥');
      expected += 1;
    }
    expect(expected).toBe(n);
  });

  it('refuses writes after close and records without an object name', async () => {
    const writer = new StagingWriter({ s3: s3rver.s3, bucket: BUCKET, requestId: 'dsar_closed', connectorId: 'x1' });
    await expect(writer.write({ object: '', id: '1', data: {} })).rejects.toThrow(/record.object/);
    await writer.close();
    await expect(writer.write({ object: 'a', id: '1', data: {} })).rejects.toThrow(/closed/);
  });

  it('rejects request and connector ids that could escape the staging prefix', () => {
    expect(() => new StagingWriter({ s3: s3rver.s3, bucket: BUCKET, requestId: '../other', connectorId: 'x1' })).toThrow();
    expect(() => new StagingWriter({ s3: s3rver.s3, bucket: BUCKET, requestId: 'dsar_1', connectorId: 'a/b' })).toThrow();
  });

  it('abandons its uploads on abort and writes nothing for the objects in flight', async () => {
    const writer = new StagingWriter({ s3: s3rver.s3, bucket: BUCKET, requestId: 'dsar_abort', connectorId: 'crm' });
    await writer.write({ object: 'Contact', id: '1', data: { a: 1 } });

    await writer.abort();

    await expect(writer.write({ object: 'Contact', id: '2', data: {} })).rejects.toThrow(/aborted/);
    expect(await listKeys('staging/dsar_abort/')).toEqual([]);
  });
});

describe('readStaged', () => {
  it('parses lines split across chunks and ignores blank lines', async () => {
    const key = 'staging/dsar_raw/x1/raw.jsonl';
    const lines = ['{"object":"raw","id":"1","data":{"t":"å"}}', '', '{"object":"raw","id":"2","data":{}}'];
    await s3rver.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: lines.join('\n') }));

    const records = await collect(key);

    expect(records.map((r) => r.id)).toEqual(['1', '2']);
    expect(records[0]!.data.t).toBe('å');
  });

  it('names the key and line of an unreadable line without quoting it', async () => {
    const key = 'staging/dsar_raw/x1/broken.jsonl';
    await s3rver.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: '{"object":"a","id":"1","data":{}}\n{secret@example.com\n' }));

    const attempt = collect(key);

    await expect(attempt).rejects.toThrow(`staged object ${key} has an unreadable line 2`);
    await expect(attempt).rejects.not.toThrow(/secret/);
  });
});

describe('readStaged by byte range', () => {
  const key = 'staging/dsar_range/x1/range.jsonl';
  // Lines of different lengths with multi-byte characters, so cuts fall mid-line and mid-character.
  const records = Array.from({ length: 40 }, (_, i) => ({ object: 'range', id: String(i), data: { t: 'æøå€'.repeat(i % 7), n: i } }));
  const body = `${records.map((r) => JSON.stringify(r)).join('\n')}\n`;

  beforeAll(async () => {
    await s3rver.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  });

  it('yields every record exactly once, in order, when ranges tile the object, wherever the cuts fall', async () => {
    const size = await stagedSize(s3rver.s3, BUCKET, key);
    expect(size).toBe(Buffer.byteLength(body));
    // Every single cut point: at a line start, just after a newline, inside a line and inside a character.
    for (let cut = 1; cut < size; cut += 7) {
      const first = await collect(key, { start: 0, end: cut });
      const second = await collect(key, { start: cut, end: Infinity });
      expect([...first, ...second].map((r) => r.id), `cut at ${cut}`).toEqual(records.map((r) => r.id));
    }
  });

  it('reads the same records in five ranges as in one read, data and all', async () => {
    const size = Buffer.byteLength(body);
    const cuts = [0, 97, 98, 640, 1111, Infinity];
    const parts: DataRecord[] = [];
    for (let i = 0; i < cuts.length - 1; i++) parts.push(...(await collect(key, { start: cuts[i]!, end: cuts[i + 1]! })));

    expect(size).toBeGreaterThan(1111);
    expect(parts).toEqual(await collect(key));
  });
});

describe('deleteStaging', () => {
  it('deletes every object of the request, across pages, and nothing of other requests', async () => {
    const puts = [];
    for (let i = 0; i < 1005; i++) {
      puts.push(s3rver.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `staging/dsar_del/c${i % 3}/o${i}.jsonl`, Body: 'x' })));
      if (puts.length >= 50) await Promise.all(puts.splice(0));
    }
    await Promise.all(puts);
    await s3rver.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'staging/dsar_del2/c0/keep.jsonl', Body: 'x' }));

    const deleted = await deleteStaging(s3rver.s3, BUCKET, 'dsar_del');

    expect(deleted).toBe(1005);
    expect(await listKeys('staging/dsar_del/')).toEqual([]);
    const kept = await s3rver.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'staging/dsar_del2/c0/keep.jsonl' }));
    expect(await kept.Body!.transformToString()).toBe('x');
  });
});
