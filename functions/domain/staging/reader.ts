/**
 * Reads a staged JSON-lines object back, record by record, without holding the object in memory: the
 * response body is consumed chunk by chunk (its async iterator applies backpressure) and split on
 * newline bytes, carrying a partial line over to the next chunk. Splitting bytes, not decoded text, is
 * safe in UTF-8 (0x0A never occurs inside a multi-byte character) and lets a reader take a byte range.
 *
 * A range `[start, end)` yields the records whose line starts inside it: a reader that starts mid-line
 * skips to the next line (the range before it owns that line), and one that reaches `end` mid-line
 * finishes that line. Ranges that tile the object therefore yield every record exactly once, which is how
 * package assembly splits one large object across threads.
 */
import type { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { DataRecord } from '#connectors/types';

const NEWLINE = 0x0a;

export interface ByteRange {
  start: number;
  /** Exclusive; Infinity reads to the end of the object. */
  end: number;
}

export async function* readStaged(s3: S3Client, bucket: string, key: string, range: ByteRange = { start: 0, end: Infinity }): AsyncIterable<DataRecord> {
  const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...(range.start > 0 ? { Range: `bytes=${range.start - 1}-` } : {}) }));
  const body = res.Body as Readable | undefined;
  if (!body) return;
  // A range after the first starts one byte early: if that byte is a newline, a line starts at `start`.
  let skipping = range.start > 0;
  // Offset in the object of the next byte of the body.
  let offset = range.start > 0 ? range.start - 1 : 0;
  // Pieces of the current line; an array so a very long record is not re-copied per chunk.
  let pending: Buffer[] = [];
  let lineNo = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      let from = 0;
      let nl = chunk.indexOf(NEWLINE, from);
      while (nl !== -1) {
        if (skipping) {
          skipping = false;
        } else {
          const line = pending.length ? Buffer.concat([...pending, chunk.subarray(from, nl)]) : chunk.subarray(from, nl);
          pending = [];
          lineNo += 1;
          if (line.length > 0) yield parse(line, key, lineNo);
        }
        from = nl + 1;
        // A line starting at or after `end` belongs to the next range.
        if (offset + from >= range.end) return;
        nl = chunk.indexOf(NEWLINE, from);
      }
      if (!skipping && from < chunk.length) pending.push(chunk.subarray(from));
      offset += chunk.length;
    }
    if (!skipping && pending.length) {
      const last = Buffer.concat(pending);
      if (last.length > 0) yield parse(last, key, lineNo + 1);
    }
  } finally {
    // Stopping early (a range that ends, a consumer that breaks out) must not leave the connection half read.
    if (!body.readableEnded) body.destroy();
  }
}

/** The staged object's size in bytes, to split it into ranges. */
export async function stagedSize(s3: S3Client, bucket: string, key: string): Promise<number> {
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  return head.ContentLength ?? 0;
}

function parse(line: Buffer, key: string, lineNo: number): DataRecord {
  try {
    return JSON.parse(line.toString('utf8')) as DataRecord;
  } catch {
    // The key and line number locate the problem; the line itself is the subject's data. (Within a range
    // the number counts from the range's first line.)
    throw new Error(`staged object ${key} has an unreadable line ${lineNo}`);
  }
}
