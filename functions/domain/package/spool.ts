/**
 * Temporary files for the outputs that the records pass writes before the ZIP reaches their entries: the
 * ZIP is written one entry after another, but one read of a staged object feeds data.json and the
 * object's CSV at once, so the CSV waits on disk (Lambda's /tmp), not in memory. The directory is removed
 * when the package is done, whether it succeeded or not.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

export class SpoolDir {
  private next = 0;

  private constructor(private readonly dir: string) {}

  static async create(): Promise<SpoolDir> {
    return new SpoolDir(await mkdtemp(join(tmpdir(), 'dsar-package-')));
  }

  /** A new file in the directory; files are numbered, so no entry name ever reaches the file system. */
  async file(): Promise<SpoolFile> {
    const path = join(this.dir, `${this.next++}.part`);
    return new SpoolFile(path, await open(path, 'w'));
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

export class SpoolFile {
  constructor(
    readonly path: string,
    private handle: FileHandle | undefined,
  ) {}

  async write(text: string): Promise<void> {
    if (!this.handle) throw new Error('spool file already closed');
    await this.handle.write(text, null, 'utf8');
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }

  /** The file's content, once closed. */
  read(): Readable {
    return createReadStream(this.path, { highWaterMark: 64 * 1024 });
  }
}
