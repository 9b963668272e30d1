/**
 * Gathers a generator of small strings into chunks of about 64 KiB: one write per record would cost more
 * in stream and compressor overhead than the record itself, while a bounded chunk keeps memory flat.
 */
const CHUNK = 64 * 1024;

export async function* batched(source: AsyncIterable<string> | Iterable<string>): AsyncIterable<string> {
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
