/**
 * Streams one connector run's records to the staging bucket, one JSON-lines object per object name.
 *
 * Records never travel through the workflow's state payload (256 KiB limit, DESIGN section 2): the run
 * returns only counts and keys. Each object is uploaded with lib-storage's `Upload`, which sends a single
 * PutObject for small objects and a multipart upload for large ones, reading from a stream; `write` waits
 * when that stream is full, so memory stays bounded by the upload's part buffers, not by the number of
 * records a subject has.
 */
import { PassThrough } from 'node:stream';
import { once } from 'node:events';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { DataRecord } from '#connectors/types';
import { assertSegment, objectSlug, stagingKey } from './keys.ts';

export interface StagingWriterOptions {
  s3: S3Client;
  bucket: string;
  requestId: string;
  connectorId: string;
  /** Multipart part size; the default (8 MiB) keeps a few parts per object in memory at most. */
  partSize?: number;
}

export interface StagingResult {
  /** Records written, all objects together. */
  records: number;
  /** Records per object name. */
  objects: Record<string, number>;
  /** Staging key per object name. */
  stagingKeys: Record<string, string>;
}

interface OpenObject {
  key: string;
  stream: PassThrough;
  upload: Upload;
  done: Promise<unknown>;
  count: number;
  failure?: Error;
}

const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
/** Parts uploaded at once per object; with the part size this bounds the buffer per open object. */
const QUEUE_SIZE = 2;

export class StagingWriter {
  private readonly objects = new Map<string, OpenObject>();
  /** slug -> object name, so two names that slug alike are caught instead of overwriting each other. */
  private readonly slugs = new Map<string, string>();
  private state: 'open' | 'closed' | 'aborted' = 'open';

  constructor(private readonly options: StagingWriterOptions) {
    assertSegment('requestId', options.requestId);
    assertSegment('connectorId', options.connectorId);
  }

  /** Appends a record to its object's JSON-lines file; resolves when the upload can take more. */
  async write(record: DataRecord): Promise<void> {
    if (this.state !== 'open') throw new Error(`StagingWriter is ${this.state}`);
    validate(record);
    const target = this.objects.get(record.object) ?? this.open(record.object);
    if (target.failure) throw target.failure;
    const line: DataRecord = { object: record.object, id: record.id, data: record.data };
    if (record.origin) line.origin = record.origin;
    target.count += 1;
    if (!target.stream.write(`${JSON.stringify(line)}\n`)) {
      // `once` rejects if the stream is destroyed, which is what a failed upload does to it (see open()).
      await once(target.stream, 'drain');
    }
  }

  /** Finishes every upload; a run that saw no records wrote nothing and reports zero. */
  async close(): Promise<StagingResult> {
    if (this.state !== 'open') throw new Error(`StagingWriter is ${this.state}`);
    this.state = 'closed';
    for (const target of this.objects.values()) target.stream.end();
    const settled = await Promise.allSettled([...this.objects.values()].map((t) => t.done));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));

    const result: StagingResult = { records: 0, objects: {}, stagingKeys: {} };
    for (const [object, target] of this.objects) {
      result.records += target.count;
      result.objects[object] = target.count;
      result.stagingKeys[object] = target.key;
    }
    return result;
  }

  /**
   * Gives up: stops every upload (multipart uploads are aborted so no parts linger). Objects already
   * completed may remain; they are not referenced by any outcome and `deleteStaging` removes them.
   */
  async abort(): Promise<void> {
    if (this.state === 'aborted') return;
    this.state = 'aborted';
    const targets = [...this.objects.values()];
    await Promise.allSettled(targets.map((t) => t.upload.abort()));
    // With an error, so that a write() waiting for 'drain' is released instead of waiting forever.
    for (const t of targets) t.stream.destroy(new Error('staging aborted'));
    await Promise.allSettled(targets.map((t) => t.done));
  }

  private open(object: string): OpenObject {
    const slug = objectSlug(object);
    const holder = this.slugs.get(slug);
    if (holder !== undefined && holder !== object) {
      throw new Error(`two object names of connector ${this.options.connectorId} share the staging slug ${slug}`);
    }
    this.slugs.set(slug, object);
    const key = stagingKey(this.options.requestId, this.options.connectorId, object);
    const stream = new PassThrough({ highWaterMark: 256 * 1024 });
    // Errors surface through write()/close() via the upload's promise; an unheard 'error' event would
    // otherwise crash the process when the stream is destroyed after the upload stopped reading it.
    stream.on('error', () => undefined);
    const upload = new Upload({
      client: this.options.s3,
      params: { Bucket: this.options.bucket, Key: key, Body: stream, ContentType: 'application/x-ndjson' },
      partSize: this.options.partSize ?? DEFAULT_PART_SIZE,
      queueSize: QUEUE_SIZE,
      leavePartsOnError: false,
    });
    const target: OpenObject = { key, stream, upload, done: Promise.resolve(), count: 0 };
    target.done = upload.done().catch((err: unknown) => {
      target.failure = err instanceof Error ? err : new Error(String(err));
      // Wakes a writer waiting for 'drain' that would otherwise wait forever.
      stream.destroy(target.failure);
      throw target.failure;
    });
    // The failure is reported by write() or close(); this keeps it from being an unhandled rejection meanwhile.
    target.done.catch(() => undefined);
    this.objects.set(object, target);
    return target;
  }
}

function validate(record: DataRecord): void {
  // Messages name the problem, never the record's content.
  if (typeof record?.object !== 'string' || record.object.length === 0) throw new TypeError('record.object must be a non-empty string');
  if (typeof record.id !== 'string') throw new TypeError('record.id must be a string');
  if (record.data === null || typeof record.data !== 'object' || Array.isArray(record.data)) {
    throw new TypeError('record.data must be an object');
  }
}
