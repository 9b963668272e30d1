/**
 * s3rver's filesystem store, made crash-safe, and the recovery that runs before the emulator serves.
 *
 * s3rver keeps an object as three files (`<key>._S3rver_object`, `.object.md5`, `._S3rver_metadata.json`)
 * and writes them in place, one after the other. A kill in between leaves a torn object: a 0-byte
 * metadata file makes every listing of its bucket (and HEAD on the bucket, which lists) answer 500; a
 * half-written content file is served as if whole. This store writes the way a database does:
 *
 * 1. the content goes to a temp file under `.pending/` (same file system), flushed to disk;
 * 2. a commit record naming the temp file, the key, the metadata and the md5 is written to a temp
 *    name, flushed, and renamed into place: that rename is the commit point;
 * 3. the commit is applied (metadata, then the content renamed over the object, then the md5), and the
 *    record removed.
 *
 * A kill before 2 leaves only temp files, which recovery deletes (the PUT never answered, so the client
 * never took it as done); a kill after 2 is rolled forward by recovery, which re-applies the record. Every
 * step of applying is idempotent. Deletes remove the content file first, so a kill mid-delete leaves an
 * invisible orphan, never a visible object without metadata.
 *
 * Recovery then checks every object and moves a torn one (empty or invalid metadata, metadata without
 * content, content without metadata: what the old in-place writes could leave) to `.quarantine/`,
 * reporting each, so the emulator always starts. Both folders start with a dot, which no bucket name can.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const require = createRequire(import.meta.url);

/** The parts of s3rver's store and object model this module builds on (s3rver ships no types). */
interface StoredObject {
  bucket: string;
  key: string;
  content: Buffer | Readable | null;
  metadata: Record<string, unknown>;
}
interface BaseStore {
  rootDirectory: string;
  getBucketPath(bucket: string): string;
  getResourcePath(bucket: string, key: string | undefined, resource: string): string;
  getBucket(bucket: string): Promise<unknown>;
  getMetadata(bucket: string, key: string): Promise<Record<string, unknown>>;
  getObject(bucket: string, key: string, options?: unknown): Promise<StoredObject | null>;
  deleteObject(bucket: string, key: string): Promise<void>;
}
const FilesystemStore = require('s3rver/lib/stores/filesystem') as new (rootDirectory: string) => BaseStore;
const { ALLOWED_METADATA } = require('s3rver/lib/models/object') as { ALLOWED_METADATA: string[] };

export const PENDING_DIR = '.pending';
export const QUARANTINE_DIR = '.quarantine';

const OBJECT_SUFFIX = '._S3rver_object';
const MD5_SUFFIX = '._S3rver_object.md5';
const METADATA_SUFFIX = '._S3rver_metadata.json';
const UPLOADS_DIR = '._S3rver_uploads';
const CHECK_BATCH = 64;

/** What a commit record holds: enough to finish the write after a kill. */
interface CommitRecord {
  bucket: string;
  key: string;
  /** The content's temp file name in `.pending/`. */
  content: string;
  metadata: Record<string, unknown>;
  md5: string;
}

/** An object recovery moved aside. */
export interface TornObject {
  bucket: string;
  key: string;
  /** Why, in words: "its metadata file is empty", ... */
  problem: string;
  /** Where its files are now. */
  movedTo: string;
}

export interface RecoveryReport {
  /** Writes that had committed and were finished on start. */
  rolledForward: number;
  /** Temp files of writes that never committed, deleted. */
  discarded: number;
  quarantined: TornObject[];
}

/** Writes a file and flushes it to disk before returning. */
async function writeDurably(path: string, data: string): Promise<void> {
  const file = await open(path, 'w');
  try {
    await file.writeFile(data);
    await file.sync();
  } finally {
    await file.close();
  }
}

/**
 * Writes to a temp name in `pendingDir` and renames over `path`: readers, and a kill, see the old file or
 * the new one, never part of one. `durable` flushes the temp file first, for writes no record can redo.
 */
async function replaceFile(pendingDir: string, path: string, data: string, durable: boolean): Promise<void> {
  const temp = join(pendingDir, `${randomUUID()}.tmp`);
  if (durable) await writeDurably(temp, data);
  else await writeFile(temp, data);
  await rename(temp, path);
}

function ignoreMissing(err: NodeJS.ErrnoException): void {
  if (err.code !== 'ENOENT') throw err;
}

/** The metadata s3rver keeps for an object (the same selection as its own `putMetadata`). */
function storedMetadata(metadata: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(metadata).filter(([k]) => ALLOWED_METADATA.includes(k) || k.startsWith('x-amz-meta-')));
}

export class AtomicFilesystemStore extends FilesystemStore {
  get pendingDir(): string {
    return join(this.rootDirectory, PENDING_DIR);
  }

  /** `.pending` and `.quarantine` are not buckets (no bucket name starts with a dot). */
  override async getBucket(bucket: string): Promise<unknown> {
    return bucket.startsWith('.') ? null : super.getBucket(bucket);
  }

  async putObject(object: StoredObject): Promise<{ size: number; md5: string }> {
    await mkdir(this.pendingDir, { recursive: true });
    const id = randomUUID();
    const content = `${id}.content`;
    const contentPath = join(this.pendingDir, content);
    const hash = createHash('md5');
    let size = 0;
    try {
      const source = Buffer.isBuffer(object.content) ? Readable.from([object.content]) : (object.content ?? Readable.from([]));
      await pipeline(
        source,
        new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            hash.update(chunk);
            size += chunk.length;
            callback(null, chunk);
          },
        }),
        // `flush` fsyncs before closing.
        createWriteStream(contentPath, { flush: true }),
      );
    } catch (err) {
      // Nothing committed: the temp file is all there is to undo (an upload the client aborted lands here).
      await rm(contentPath, { force: true });
      throw err;
    }
    const md5 = hash.digest('hex');
    // From here a failure leaves files in `.pending/` for the next start: discarded before the commit
    // point, rolled forward after it.
    await this.commit(id, { bucket: object.bucket, key: object.key, content, metadata: storedMetadata(object.metadata), md5 });
    return { size, md5 };
  }

  /**
   * Makes the record durable (its rename is the commit point), then applies it. Two flushes per write,
   * the content and the record: after a power cut a record that survived points at whole content. The
   * steps of applying are not flushed again (each costs several milliseconds): a kill loses nothing the
   * kernel holds, and what a power cut could leave half-applied is what the start-up check catches.
   */
  private async commit(id: string, record: CommitRecord): Promise<void> {
    const temp = join(this.pendingDir, `${id}.commit.tmp`);
    const final = join(this.pendingDir, `${id}.commit`);
    await writeDurably(temp, JSON.stringify(record));
    await rename(temp, final);
    await this.apply(record);
    await unlink(final);
  }

  /** Finishes a committed write. Idempotent: recovery may run it again after a kill at any step. */
  async apply(record: CommitRecord): Promise<void> {
    const objectPath = this.getResourcePath(record.bucket, record.key, 'object');
    const md5Path = this.getResourcePath(record.bucket, record.key, 'object.md5');
    await mkdir(dirname(objectPath), { recursive: true });
    await replaceFile(this.pendingDir, this.getResourcePath(record.bucket, record.key, 'metadata.json'), JSON.stringify(record.metadata, null, 2), false);
    // Without an md5 file s3rver computes it from the content, so a stale md5 can never meet new content.
    await unlink(md5Path).catch(ignoreMissing);
    await rename(join(this.pendingDir, record.content), objectPath).catch(ignoreMissing);
    await replaceFile(this.pendingDir, md5Path, record.md5, false);
  }

  /** Used by s3rver's copyObject to replace an object's metadata in place. */
  async putMetadata(bucket: string, key: string, metadata: Record<string, unknown>, md5?: string): Promise<void> {
    await mkdir(this.pendingDir, { recursive: true });
    if (md5) await replaceFile(this.pendingDir, this.getResourcePath(bucket, key, 'object.md5'), md5, true);
    await replaceFile(this.pendingDir, this.getResourcePath(bucket, key, 'metadata.json'), JSON.stringify(storedMetadata(metadata), null, 2), true);
  }

  /** A copy to another key is a put of the source's content, so it commits the same way. */
  async copyObject(srcBucket: string, srcKey: string, destBucket: string, destKey: string, replacementMetadata?: Record<string, unknown>) {
    if (this.getResourcePath(srcBucket, srcKey, 'object') === this.getResourcePath(destBucket, destKey, 'object')) {
      if (replacementMetadata) await this.putMetadata(destBucket, destKey, replacementMetadata);
      return this.getMetadata(destBucket, destKey);
    }
    const source = await this.getObject(srcBucket, srcKey);
    if (!source) throw Object.assign(new Error(`no such object: ${srcBucket}/${srcKey}`), { code: 'ENOENT' });
    await this.putObject({ bucket: destBucket, key: destKey, content: source.content, metadata: replacementMetadata ?? source.metadata });
    return this.getMetadata(destBucket, destKey);
  }

  /** The content first: once it is gone the object is gone, whatever a kill leaves of the rest. */
  override async deleteObject(bucket: string, key: string): Promise<void> {
    await unlink(this.getResourcePath(bucket, key, 'object')).catch(ignoreMissing);
    await super.deleteObject(bucket, key);
  }

  async putSubresource(bucket: string, key: string | undefined, resource: { type: string; toXML(indent: number): string }): Promise<void> {
    await mkdir(this.pendingDir, { recursive: true });
    await replaceFile(this.pendingDir, this.getResourcePath(bucket, key, `${resource.type}.xml`), resource.toXML(2), true);
  }
}

/**
 * Brings the store under `rootDirectory` to a consistent state; run it before the emulator serves.
 * Rolls committed writes forward, deletes uncommitted temp files, and moves torn objects to
 * `.quarantine/<time>/<bucket>/...`.
 */
export async function recoverStore(rootDirectory: string, now = new Date()): Promise<RecoveryReport> {
  const store = new AtomicFilesystemStore(rootDirectory);
  const report: RecoveryReport = { rolledForward: 0, discarded: 0, quarantined: [] };
  const pending = await readdir(store.pendingDir).catch((err: NodeJS.ErrnoException) => (ignoreMissing(err), [] as string[]));
  for (const name of pending.filter((n) => n.endsWith('.commit')).sort()) {
    // A record is renamed into place only once complete and flushed, so it always parses.
    const record = JSON.parse(await readFile(join(store.pendingDir, name), 'utf8')) as CommitRecord;
    await store.apply(record);
    await unlink(join(store.pendingDir, name));
    report.rolledForward += 1;
  }
  for (const name of await readdir(store.pendingDir).catch(() => [] as string[])) {
    await rm(join(store.pendingDir, name), { recursive: true, force: true });
    report.discarded += 1;
  }

  const quarantineRoot = join(rootDirectory, QUARANTINE_DIR, now.toISOString().replace(/[:.]/g, '-'));
  const buckets = await readdir(rootDirectory, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => (ignoreMissing(err), []));
  for (const bucket of buckets.filter((d) => d.isDirectory() && !d.name.startsWith('.'))) {
    const bucketPath = join(rootDirectory, bucket.name);
    const objects = [...(await objectsIn(bucketPath))];
    // Checked in parallel (reading thousands of small files one by one is what makes a start slow), acted on in order.
    const problems: Array<string | undefined> = [];
    for (let i = 0; i < objects.length; i += CHECK_BATCH) {
      problems.push(...(await Promise.all(objects.slice(i, i + CHECK_BATCH).map(([, files]) => tornBecause(files)))));
    }
    for (const [i, [key, files]] of objects.entries()) {
      const problem = problems[i];
      if (problem === 'bad md5') {
        // The md5 is derived: without the file, s3rver computes it again from the content.
        await unlink(files.md5!);
        continue;
      }
      if (!problem) continue;
      const movedTo = join(quarantineRoot, bucket.name);
      for (const file of [files.object, files.md5, files.metadata]) {
        if (!file) continue;
        const target = join(movedTo, relative(bucketPath, file));
        await mkdir(dirname(target), { recursive: true });
        await rename(file, target);
      }
      report.quarantined.push({ bucket: bucket.name, key, problem, movedTo });
    }
  }
  return report;
}

interface ObjectFiles {
  object?: string;
  md5?: string;
  metadata?: string;
}

/** Every object's files in a bucket folder, by key. */
async function objectsIn(bucketPath: string): Promise<Map<string, ObjectFiles>> {
  const objects = new Map<string, ObjectFiles>();
  const entries = await readdir(bucketPath, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const rel = relative(bucketPath, path).split(sep).join('/');
    if (rel.startsWith(`${UPLOADS_DIR}/`)) continue;
    const [suffix, kind] = rel.endsWith(OBJECT_SUFFIX)
      ? [OBJECT_SUFFIX, 'object' as const]
      : rel.endsWith(MD5_SUFFIX)
        ? [MD5_SUFFIX, 'md5' as const]
        : rel.endsWith(METADATA_SUFFIX)
          ? [METADATA_SUFFIX, 'metadata' as const]
          : [undefined, undefined];
    if (!suffix || !kind) continue;
    const key = rel.slice(0, -suffix.length);
    // A bucket's own settings (`._S3rver_cors.xml`) have an empty key and none of these suffixes.
    if (!key) continue;
    const files = objects.get(key) ?? {};
    files[kind] = path;
    objects.set(key, files);
  }
  return objects;
}

/** Why an object cannot be served as it is ('bad md5' when only its derived md5 file is damaged), or undefined. */
async function tornBecause(files: ObjectFiles): Promise<string | undefined> {
  if (!files.object) return 'its content file is missing';
  if (!files.metadata) return 'its metadata file is missing';
  const text = await readFile(files.metadata, 'utf8');
  if (text.trim() === '') return 'its metadata file is empty';
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'its metadata is not a JSON object';
  } catch {
    return 'its metadata file is cut short (not valid JSON)';
  }
  if (files.md5 && !/^[0-9a-f]{32}$/.test((await readFile(files.md5, 'utf8')).trim())) return 'bad md5';
  return undefined;
}
