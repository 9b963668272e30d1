/**
 * Temporary files holding the package's entries already deflated, so that entries are compressed while
 * the records are being read, all at once, instead of one after another as the ZIP reaches them.
 *
 * Each file has its own zlib deflate stream; Node runs zlib's work on the libuv thread pool (4 threads by
 * default, see UV_THREADPOOL_SIZE), so data.json and the CSVs are compressed on other vCPUs than the one
 * parsing the staged records. The ZIP then copies the deflated bytes as they are (see zip.ts), with the
 * CRC-32 and size taken here from the text as it was written.
 *
 * An entry may be written in several pieces (segments), on several threads (slices.ts): each segment is a
 * raw deflate stream ended with a sync flush instead of a final block, so its bytes end on a byte
 * boundary and never refer back before their own start. Segments joined one after another, then an empty
 * final block, are one valid deflate stream (as pigz builds its output); the entry's CRC-32 is combined
 * from the segments' (crc32-combine.ts).
 *
 * The files are on disk (Lambda's /tmp), not in memory, so memory stays flat however many records there
 * are; the directory is removed when the package is done, whether it succeeded or not.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { crc32Combine } from './crc32-combine.ts';
import { constants, crc32, createDeflateRaw, type DeflateRaw } from 'node:zlib';

/** zip's default level (`zip -6`): the trade-off most archives are made with. */
export const DEFLATE_LEVEL = 6;

/** One deflated piece of an entry, as it was written (by this thread or a worker). */
export interface Segment {
  path: string;
  /** CRC-32 of the piece's text. */
  crc: number;
  /** Bytes of the piece's text (uncompressed). */
  size: number;
}

/** The final, empty deflate block (fixed Huffman, BFINAL set, end-of-block) that closes joined segments. */
const FINAL_BLOCK = Buffer.from([0x03, 0x00]);

/** An entry of the ZIP made of deflated segments, in order. */
export class SegmentedEntry {
  constructor(
    readonly name: string,
    readonly segments: Segment[],
  ) {}

  get size(): number {
    return this.segments.reduce((n, s) => n + s.size, 0);
  }

  get crc(): number {
    return this.segments.reduce((crc, s) => crc32Combine(crc, s.crc, s.size), 0);
  }

  /**
   * The entry's deflate stream: the segments' files one after another, then the final block. A web
   * stream that reads 64 KiB from disk only when the ZIP asks for more: `Readable.toWeb` over a file
   * stream reads ahead without waiting, which held most of a large package in memory while the upload,
   * slower than the disk, caught up (about 60 MiB of 1M records' 39 MiB ZIP and its buffers).
   */
  read(): ReadableStream<Uint8Array> {
    const paths = this.segments.map((s) => s.path);
    let index = 0;
    let file: FileHandle | undefined;
    let done = false;
    return new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          while (!done) {
            if (!file) {
              if (index === paths.length) {
                done = true;
                controller.enqueue(new Uint8Array(FINAL_BLOCK));
                controller.close();
                return;
              }
              file = await open(paths[index++]!, 'r');
            }
            const chunk = Buffer.allocUnsafe(READ_SIZE);
            const { bytesRead } = await file.read(chunk, 0, READ_SIZE, null);
            if (bytesRead > 0) {
              controller.enqueue(chunk.subarray(0, bytesRead));
              return;
            }
            await file.close();
            file = undefined;
          }
        },
        async cancel() {
          done = true;
          await file?.close();
        },
      },
      { highWaterMark: 0 },
    );
  }
}

const READ_SIZE = 64 * 1024;

export class SpoolDir {
  private next = 0;
  private readonly files: DeflatedFile[] = [];

  private constructor(readonly dir: string) {}

  /** A path in the directory for a segment written elsewhere (a worker thread); numbered like files. */
  path(): string {
    return join(this.dir, `${this.next++}.deflate`);
  }

  static async create(): Promise<SpoolDir> {
    return new SpoolDir(await mkdtemp(join(tmpdir(), 'dsar-package-')));
  }

  /** A new file in the directory; files are numbered, so no entry name ever reaches the file system. */
  file(): DeflatedFile {
    const file = new DeflatedFile(this.path());
    this.files.push(file);
    return file;
  }

  async remove(): Promise<void> {
    for (const file of this.files) file.destroy();
    // Retries: a file closing on the thread pool as the directory goes would otherwise fail its removal.
    await rm(this.dir, { recursive: true, force: true, maxRetries: 3 });
  }
}

export class DeflatedFile {
  /** CRC-32 of the text written, as the ZIP stores it. */
  crc = 0;
  /** Bytes of text written (uncompressed). */
  size = 0;
  private readonly deflate: DeflateRaw;
  private readonly written: Promise<void>;
  private closed = false;

  constructor(readonly path: string) {
    // Ends with a sync flush, not a final block: the file is a segment that others may follow.
    this.deflate = createDeflateRaw({ level: DEFLATE_LEVEL, chunkSize: 64 * 1024, strategy: constants.Z_DEFAULT_STRATEGY, finishFlush: constants.Z_SYNC_FLUSH });
    this.written = pipeline(this.deflate, createWriteStream(path));
    // Heard when awaited in close(); a rejection nobody awaits yet must not crash the process.
    this.written.catch(() => undefined);
  }

  async write(text: string | Buffer): Promise<void> {
    if (this.closed) throw new Error('deflated spool file already closed');
    const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    if (bytes.length === 0) return;
    this.crc = crc32(bytes, this.crc);
    this.size += bytes.length;
    // Waiting for drain keeps at most a chunk or two per file in memory, however fast records are read.
    // (`once` rejects if the pipeline fails meanwhile: pipeline destroys the deflate stream with the error.)
    if (!this.deflate.write(bytes)) await once(this.deflate, 'drain');
  }

  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.deflate.end();
    }
    await this.written;
  }

  /** What the ZIP needs of this file, once closed. */
  get segment(): Segment {
    return { path: this.path, crc: this.crc, size: this.size };
  }

  destroy(): void {
    this.closed = true;
    this.deflate.destroy();
  }

  /** Destroys the file's streams and settles once they are closed (the file no longer being written). */
  async discard(): Promise<void> {
    this.destroy();
    await this.written.catch(() => undefined);
  }
}
