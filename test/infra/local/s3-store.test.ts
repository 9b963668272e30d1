/**
 * The S3 emulator's crash-safe store: writes commit through a flushed record, and a start finishes
 * committed writes, forgets uncommitted ones and moves torn objects aside, so the emulator always serves.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { CopyObjectCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { AtomicFilesystemStore, PENDING_DIR, QUARANTINE_DIR, recoverStore, type TornObject } from '../../../infra/local/s3-store.ts';
import { startS3rver, type S3rverHandle } from '../../support/s3rver.ts';

const BUCKET = 'dsar-staging';
const md5 = (text: string) => createHash('md5').update(text).digest('hex');

let dir: string;
let emulator: S3rverHandle | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 's3-store-'));
  mkdirSync(join(dir, BUCKET));
});
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function serve(onTorn?: (torn: TornObject) => void) {
  emulator = await startS3rver({ directory: dir, buckets: [BUCKET], ...(onTorn ? { onTorn } : {}) });
  return emulator.s3;
}

async function read(key: string) {
  const res = await emulator!.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return { body: await res.Body!.transformToString(), etag: res.ETag, type: res.ContentType, metadata: res.Metadata };
}

const pendingFiles = () => (existsSync(join(dir, PENDING_DIR)) ? readdirSync(join(dir, PENDING_DIR)) : []);

/** A store that dies right after a write's commit point, as a SIGKILL there would leave it. */
class KilledAfterCommit extends AtomicFilesystemStore {
  override async apply(): Promise<void> {
    throw new Error('killed');
  }
}

describe('writes through the emulator', () => {
  it('read back whole with their metadata and md5, and leave nothing pending', async () => {
    const s3 = await serve();
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'staging/dsar_a1/calls/call.jsonl', Body: '{"n":1}\n', ContentType: 'application/x-ndjson', Metadata: { origin: 'test' } }));

    expect(await read('staging/dsar_a1/calls/call.jsonl')).toEqual({ body: '{"n":1}\n', etag: `"${md5('{"n":1}\n')}"`, type: 'application/x-ndjson', metadata: { origin: 'test' } });
    expect(pendingFiles()).toEqual([]);
  });

  it('copy to another key as a whole object of their own', async () => {
    const s3 = await serve();
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'a.txt', Body: 'alpha', ContentType: 'text/plain' }));
    await s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'b/c.txt', CopySource: `${BUCKET}/a.txt` }));

    expect(await read('b/c.txt')).toMatchObject({ body: 'alpha', etag: `"${md5('alpha')}"`, type: 'text/plain' });
    expect(pendingFiles()).toEqual([]);
  });

  it('keep their pending folder out of reach as a bucket', async () => {
    const s3 = await serve();
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'a.txt', Body: 'alpha' }));
    await expect(s3.send(new HeadBucketCommand({ Bucket: PENDING_DIR }))).rejects.toThrow();
  });
});

describe('a write killed after its commit point', () => {
  it('is invisible until the next start, which finishes it', async () => {
    const store = new KilledAfterCommit(dir);
    await expect(store.putObject({ bucket: BUCKET, key: 'staging/dsar_k1/x.jsonl', content: Buffer.from('whole'), metadata: { 'content-type': 'text/plain' } })).rejects.toThrow('killed');
    expect(existsSync(join(dir, BUCKET, 'staging/dsar_k1/x.jsonl._S3rver_object'))).toBe(false);

    const report = await recoverStore(dir);

    expect(report).toMatchObject({ rolledForward: 1, discarded: 0, quarantined: [] });
    await serve();
    expect(await read('staging/dsar_k1/x.jsonl')).toMatchObject({ body: 'whole', etag: `"${md5('whole')}"`, type: 'text/plain' });
    expect(pendingFiles()).toEqual([]);
  });

  it('replaces the previous version with the new content and its own md5', async () => {
    await new AtomicFilesystemStore(dir).putObject({ bucket: BUCKET, key: 'k', content: Buffer.from('old'), metadata: {} });
    await expect(new KilledAfterCommit(dir).putObject({ bucket: BUCKET, key: 'k', content: Buffer.from('new!'), metadata: {} })).rejects.toThrow('killed');
    expect(readFileSync(join(dir, BUCKET, 'k._S3rver_object'), 'utf8')).toBe('old');

    await recoverStore(dir);

    await serve();
    expect(await read('k')).toMatchObject({ body: 'new!', etag: `"${md5('new!')}"` });
  });
});

describe('a write cut short before its commit point', () => {
  it('leaves the previous version as it was when its upload breaks off', async () => {
    const store = new AtomicFilesystemStore(dir);
    await store.putObject({ bucket: BUCKET, key: 'k', content: Buffer.from('old'), metadata: {} });
    const breaking = new Readable({
      read() {
        this.push('new content, first half');
        this.destroy(new Error('client went away'));
      },
    });

    await expect(store.putObject({ bucket: BUCKET, key: 'k', content: breaking, metadata: {} })).rejects.toThrow('client went away');

    expect(pendingFiles()).toEqual([]);
    await serve();
    expect(await read('k')).toMatchObject({ body: 'old', etag: `"${md5('old')}"` });
  });

  it('leaves temp files that the next start deletes, the previous version intact', async () => {
    await new AtomicFilesystemStore(dir).putObject({ bucket: BUCKET, key: 'k', content: Buffer.from('old'), metadata: {} });
    // What a kill while the content streams in leaves: a temp file and no commit record.
    writeFileSync(join(dir, PENDING_DIR, 'd2b1c3e4.content'), 'new conte');

    const report = await recoverStore(dir);

    expect(report).toMatchObject({ rolledForward: 0, discarded: 1, quarantined: [] });
    expect(pendingFiles()).toEqual([]);
    await serve();
    expect(await read('k')).toMatchObject({ body: 'old' });
  });
});

describe('torn objects found on start', () => {
  const object = (key: string, files: { content?: string; metadata?: string; md5?: string }) => {
    const base = join(dir, BUCKET, key);
    mkdirSync(join(base, '..'), { recursive: true });
    if (files.content !== undefined) writeFileSync(`${base}._S3rver_object`, files.content);
    if (files.metadata !== undefined) writeFileSync(`${base}._S3rver_metadata.json`, files.metadata);
    if (files.md5 !== undefined) writeFileSync(`${base}._S3rver_object.md5`, files.md5);
  };

  it('are moved aside and reported, and the bucket answers HEAD and lists again', async () => {
    object('staging/dsar_ok1/calls/call.jsonl', { content: 'fine', metadata: '{"content-type":"text/plain"}', md5: md5('fine') });
    object('staging/dsar_t1/salesforce/Contact.jsonl', { content: '{"Id":1}\n', metadata: '' });
    object('staging/dsar_t2/stripe/charges.jsonl', { content: '{"id":2}\n', metadata: '{"content-ty' });
    object('staging/dsar_t3/hubspot/contacts.jsonl', { content: '{"id":3}\n' });
    object('staging/dsar_t4/ga/users.jsonl', { metadata: '{}', md5: md5('x') });
    const torn: TornObject[] = [];

    const s3 = await serve((t) => torn.push(t));

    expect(torn.map((t) => [t.key, t.problem]).sort()).toEqual([
      ['staging/dsar_t1/salesforce/Contact.jsonl', 'its metadata file is empty'],
      ['staging/dsar_t2/stripe/charges.jsonl', 'its metadata file is cut short (not valid JSON)'],
      ['staging/dsar_t3/hubspot/contacts.jsonl', 'its metadata file is missing'],
      ['staging/dsar_t4/ga/users.jsonl', 'its content file is missing'],
    ]);
    expect((await s3.send(new HeadBucketCommand({ Bucket: BUCKET }))).$metadata.httpStatusCode).toBe(200);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual(['staging/dsar_ok1/calls/call.jsonl']);
    // Moved, not deleted: the files are under the quarantine folder, by bucket and key.
    const moved = torn.find((t) => t.key.includes('dsar_t1'))!;
    expect(moved.movedTo.startsWith(join(dir, QUARANTINE_DIR))).toBe(true);
    expect(readFileSync(join(moved.movedTo, 'staging/dsar_t1/salesforce/Contact.jsonl._S3rver_object'), 'utf8')).toBe('{"Id":1}\n');
  });

  it('with only a damaged md5 file keep their content, and the md5 is computed again', async () => {
    object('k', { content: 'content', metadata: '{}', md5: '' });
    const torn: TornObject[] = [];

    await serve((t) => torn.push(t));

    expect(torn).toEqual([]);
    const head = await emulator!.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'k' }));
    expect(head.ETag).toBe(`"${md5('content')}"`);
  });
});
