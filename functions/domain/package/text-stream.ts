/**
 * Turns a generator of small strings into a byte stream for a ZIP entry. Strings are gathered into
 * chunks of about 64 KiB first: one stream chunk per record would cost more in stream overhead than the
 * record itself, while a bounded chunk keeps memory flat.
 */
import { Readable } from 'node:stream';

const CHUNK = 64 * 1024;

async function* batched(source: AsyncIterable<string> | Iterable<string>): AsyncIterable<string> {
  let parts: string[] = [];
  let size = 0;
  for await (const s of source) {
    parts.push(s);
    size += s.length;
    if (size >= CHUNK) {
      yield parts.join('');
      parts = [];
      size = 0;
    }
  }
  if (size > 0) yield parts.join('');
}

export function textStream(source: AsyncIterable<string> | Iterable<string>): Readable {
  return Readable.from(batched(source), { objectMode: false });
}
