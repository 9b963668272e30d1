/**
 * Writes the ZIP from entries that are already deflated (spool.ts) with zip.js, which stores given
 * deflate data, CRC-32 and size as they are (`passThrough`) and writes Zip64 records where an entry or
 * the archive passes 4 GiB. yazl, used before, always compresses what it is given itself, one entry after
 * another. The ZIP is a Node stream, to pipe into the upload.
 */
import { Readable } from 'node:stream';
import { configure, ZipWriter } from '@zip.js/zip.js';
import type { SegmentedEntry } from './spool.ts';

/** The ZIP compression method number of deflate (APPNOTE 4.4.5). */
const DEFLATE = 8;

// Nothing to compress here, so no Web Workers (zip.js would otherwise start some to deflate).
configure({ useWebWorkers: false });


export interface ZipOutput {
  stream: Readable;
  /** Settles when every entry and the central directory are written into `stream`. */
  done: Promise<void>;
}

export function zipDeflated(entries: SegmentedEntry[], mtime: Date): ZipOutput {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = new ZipWriter(writable, { keepOrder: true, lastModDate: mtime, level: 6, useWebWorkers: false });
  const done = (async () => {
    for (const entry of entries) {
      await writer.add(entry.name, entry.read(), {
        passThrough: true,
        compressionMethod: DEFLATE,
        uncompressedSize: entry.size,
        crc32: entry.crc,
        // Files, readable by their owner and everyone (the ZIP carries no other permissions).
        unixMode: 0o100644,
      });
    }
    await writer.close();
  })();
  // Awaited by the caller; when the upload fails first, nobody is left to hear this one's rejection.
  done.catch(() => undefined);
  return { stream: Readable.fromWeb(readable as import('node:stream/web').ReadableStream<Uint8Array>), done };
}
