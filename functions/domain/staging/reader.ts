/**
 * Reads a staged JSON-lines object back, record by record, without holding the object in memory: the
 * response body is consumed chunk by chunk (its async iterator applies backpressure) and split on
 * newlines, carrying a partial line over to the next chunk.
 */
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { DataRecord } from '#connectors/types';

export async function* readStaged(s3: S3Client, bucket: string, key: string): AsyncIterable<DataRecord> {
  const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const body = res.Body as Readable | undefined;
  if (!body) return;
  const decoder = new StringDecoder('utf8');
  // Pieces of the current line; an array so a very long record is not re-copied per chunk.
  let pending: string[] = [];
  let lineNo = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      const text = decoder.write(chunk);
      let start = 0;
      let nl = text.indexOf('\n', start);
      while (nl !== -1) {
        pending.push(text.slice(start, nl));
        const line = pending.join('');
        pending = [];
        lineNo += 1;
        if (line.length > 0) yield parse(line, key, lineNo);
        start = nl + 1;
        nl = text.indexOf('\n', start);
      }
      if (start < text.length) pending.push(text.slice(start));
    }
    pending.push(decoder.end());
    const last = pending.join('');
    if (last.length > 0) yield parse(last, key, lineNo + 1);
  } finally {
    // Stopping early (a consumer that breaks out) must not leave the HTTP connection half read.
    if (!body.readableEnded) body.destroy();
  }
}

function parse(line: string, key: string, lineNo: number): DataRecord {
  try {
    return JSON.parse(line) as DataRecord;
  } catch {
    // The key and line number locate the problem; the line itself is the subject's data.
    throw new Error(`staged object ${key} has an unreadable line ${lineNo}`);
  }
}
