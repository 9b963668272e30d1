/**
 * Decodes an `aws-chunked` request body (S3's streaming uploads: `STREAMING-UNSIGNED-PAYLOAD-TRAILER`,
 * `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`) into the object's bytes. s3rver does not understand the framing
 * and would store it inside the object, so the S3 proxy removes it on the way through:
 *
 *   <hex size>[;chunk-signature=<sig>]\r\n <size bytes> \r\n ... 0[;...]\r\n [trailer lines]\r\n
 *
 * The trailers (a checksum of the whole body) and chunk signatures are dropped: the request's own
 * signature, checked before, covers its headers, as `UNSIGNED-PAYLOAD` does.
 */
import { Transform, type TransformCallback } from 'node:stream';

const MAX_LINE = 4096;

export class AwsChunkedDecoder extends Transform {
  private state: 'size' | 'data' | 'crlf' | 'done' = 'size';
  private line = '';
  private remaining = 0;
  private crlfSeen = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let i = 0;
    try {
      while (i < chunk.length && this.state !== 'done') {
        if (this.state === 'size') {
          const nl = chunk.indexOf(0x0a, i);
          const end = nl < 0 ? chunk.length : nl;
          this.line += chunk.toString('latin1', i, end);
          if (this.line.length > MAX_LINE) throw new Error('aws-chunked size line too long');
          i = end;
          if (nl < 0) break;
          i = nl + 1;
          const size = this.line.replace(/\r$/, '').split(';', 1)[0]!;
          this.line = '';
          if (!/^[0-9a-fA-F]{1,16}$/.test(size)) throw new Error('aws-chunked size is not hexadecimal');
          this.remaining = parseInt(size, 16);
          this.state = this.remaining === 0 ? 'done' : 'data';
        } else if (this.state === 'data') {
          const take = Math.min(this.remaining, chunk.length - i);
          this.push(chunk.subarray(i, i + take));
          this.remaining -= take;
          i += take;
          if (this.remaining === 0) {
            this.state = 'crlf';
            this.crlfSeen = 0;
          }
        } else {
          const expected = this.crlfSeen === 0 ? 0x0d : 0x0a;
          if (chunk[i] !== expected) throw new Error('aws-chunked chunk is not followed by CRLF');
          i += 1;
          this.crlfSeen += 1;
          if (this.crlfSeen === 2) this.state = 'size';
        }
      }
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    callback(this.state === 'done' ? undefined : new Error('aws-chunked body ended before its last chunk'));
  }
}

/** Whether a request's body is aws-chunked framing rather than the object itself. */
export function isAwsChunked(contentSha256: string | undefined, contentEncoding: string | undefined): boolean {
  return Boolean(contentSha256?.startsWith('STREAMING-')) || Boolean(contentEncoding?.split(',').some((e) => e.trim() === 'aws-chunked'));
}
