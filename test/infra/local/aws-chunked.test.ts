/** aws-chunked framing removed on the way to s3rver, whatever the chunk boundaries on the wire. */
import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { AwsChunkedDecoder, isAwsChunked } from '../../../infra/local/aws-chunked.ts';

function frame(parts: string[], trailer = 'x-amz-checksum-crc32:AAAAAA==\r\n'): Buffer {
  const chunks = parts.map((p) => `${Buffer.byteLength(p).toString(16)};chunk-signature=${'a'.repeat(64)}\r\n${p}\r\n`);
  return Buffer.from(`${chunks.join('')}0\r\n${trailer}\r\n`);
}

async function decode(wire: Buffer, sliceSize: number): Promise<string> {
  const slices: Buffer[] = [];
  for (let i = 0; i < wire.length; i += sliceSize) slices.push(wire.subarray(i, i + sliceSize));
  return (await buffer(Readable.from(slices).pipe(new AwsChunkedDecoder()))).toString();
}

describe('the aws-chunked decoder', () => {
  it('yields the object bytes, dropping sizes, signatures and trailers, for any split of the wire bytes', async () => {
    const wire = frame(['hello ', 'chunked\r\nworld', 'x'.repeat(300)]);
    for (const size of [1, 2, 3, 7, 64, wire.length]) {
      expect(await decode(wire, size)).toBe(`hello chunked\r\nworld${'x'.repeat(300)}`);
    }
  });

  it('fails on a body cut short or a size that is not hexadecimal', async () => {
    await expect(decode(Buffer.from('a\r\nhello'), 4)).rejects.toThrow(/ended before its last chunk/);
    await expect(decode(Buffer.from('zz\r\nhello\r\n0\r\n\r\n'), 4)).rejects.toThrow(/not hexadecimal/);
  });

  it('recognises streaming payloads by their hash or their encoding', () => {
    expect(isAwsChunked('STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'aws-chunked')).toBe(true);
    expect(isAwsChunked('UNSIGNED-PAYLOAD', 'gzip, aws-chunked')).toBe(true);
    expect(isAwsChunked('UNSIGNED-PAYLOAD', undefined)).toBe(false);
  });
});
