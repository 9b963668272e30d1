import { afterEach, describe, expect, it } from 'vitest';
import { buffer } from 'node:stream/consumers';
import { crc32, inflateRawSync } from 'node:zlib';
import { crc32Combine } from '../../../../functions/domain/package/crc32-combine.ts';
import { SegmentedEntry, SpoolDir } from '../../../../functions/domain/package/spool.ts';

let spool: SpoolDir | undefined;
afterEach(async () => {
  await spool?.remove();
});

describe('crc32Combine', () => {
  it('gives the CRC-32 of two pieces joined, from each piece alone, for empty, tiny and large pieces', () => {
    const piece = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * seed + 7) & 255));
    for (const [a, b] of [[0, 0], [0, 9], [9, 0], [1, 1], [100, 65_537], [70_001, 3], [1 << 20, 1000]] as const) {
      const first = piece(a, 31);
      const second = piece(b, 17);

      expect(crc32Combine(crc32(first), crc32(second), second.length), `${a} + ${b}`).toBe(crc32(Buffer.concat([first, second])));
    }
  });
});

describe('SegmentedEntry', () => {
  it('joins deflated segments, empty ones too, into one deflate stream of the whole text, with its CRC-32 and size', async () => {
    spool = await SpoolDir.create();
    const texts = ['{"records":[', '', 'æøå,'.repeat(30_000), '{"id":"1"}', ']}'];
    const segments = [];
    for (const text of texts) {
      const file = spool.file();
      await file.write(text);
      await file.close();
      segments.push(file.segment);
    }
    const entry = new SegmentedEntry('data.json', segments);
    const whole = Buffer.from(texts.join(''), 'utf8');

    const inflated = inflateRawSync(await buffer(entry.read() as unknown as AsyncIterable<Uint8Array>));

    expect(inflated.equals(whole)).toBe(true);
    expect(entry.size).toBe(whole.length);
    expect(entry.crc).toBe(crc32(whole));
  });
});
