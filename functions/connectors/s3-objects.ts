/**
 * An S3 store of the company's own where each user has a folder of JSON-lines objects (the demo's call
 * history). The folder is named by the normalised email or by an id another connector holds (the
 * account id in the account store).
 *
 * On a bucket with versioning (enabled, or suspended after having been enabled) a delete without a
 * version id only adds a delete marker and every earlier version keeps the data: there the connector
 * lists and reads every version, deletes each one by its version id, and a version that Object Lock
 * protects (a retention date or a legal hold) is reported as retained with that reason.
 *
 * It has no `rectify` capability: its records are a log of calls (times, participants, device), none of
 * them a name, email, phone or address, and a log is not corrected by editing it (docs/connectors.md,
 * "The rectify capability").
 */
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import {
  DeleteObjectsCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectLegalHoldCommand,
  GetObjectRetentionCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  type S3Client,
  type _Error as S3DeleteError,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { S3ConnectorConfig } from '#commons/config';
import { mapAwsError } from './aws-errors.ts';
import { nextCursor } from './completeness.ts';
import { collect, inOrderAhead, mapInOrder, VENDOR_CONCURRENCY } from './concurrency.ts';
import { ConnectorIncompleteAnswer } from './errors.ts';
import { chunks } from './http.ts';
import { anonymizeRecord } from './anonymize.ts';
import type { Connector, ConnectorContext, ConnectorDeps, DataRecord, ErasureItem, ErasureOutcome, PolicyFor, Subject } from './types.ts';

/** One stored object: a plain key, or one version of a key (a delete marker holds no data). */
interface StoredObject {
  key: string;
  versionId?: string;
  /** The current version (always, on an unversioned bucket). */
  latest: boolean;
  deleteMarker?: boolean;
}

/** Why S3 keeps a version, when Object Lock is what refused its deletion. */
interface Lock {
  retainUntil?: Date;
  mode?: string;
  legalHold: boolean;
}

/** Errors that mean "this lock setting is not there", not a failure to read it. */
const NO_LOCK = new Set(['NoSuchObjectLockConfiguration', 'ObjectLockConfigurationNotFoundError', 'InvalidRequest']);

export class S3ObjectsConnector implements Connector {
  readonly id: string;
  constructor(
    readonly config: S3ConnectorConfig,
    private readonly s3: S3Client,
    private readonly deps: Pick<ConnectorDeps, 'resolveIdentifier'>,
  ) {
    this.id = config.id;
  }

  /** The subject's folders: none when the subject has no id in the system that names them. */
  private async prefixes(subject: Subject, ctx: ConnectorContext): Promise<string[]> {
    const key = this.config.subjectKey;
    const ids =
      key.from === 'email'
        ? [subject.normalizedEmail]
        : await this.deps.resolveIdentifier(subject, key.connectorId, key.attribute, ctx);
    // An id that could climb out of the folder (`..`, `/`) is never used to build a prefix.
    return ids.filter((id) => id && !/[/\\]|\.\./.test(id)).map((id) => this.config.prefixTemplate.replace('{subjectKey}', id));
  }

  /**
   * Whether the bucket may hold earlier versions. `Suspended` still keeps the versions made while it
   * was enabled. A store that answers NotImplemented (an S3-compatible one without versioning, such as
   * the local emulator) keeps one copy per key.
   */
  private async versioned(ctx: ConnectorContext): Promise<boolean> {
    try {
      const out = await this.s3.send(new GetBucketVersioningCommand({ Bucket: this.config.bucket }), { abortSignal: ctx.signal });
      return out?.Status === 'Enabled' || out?.Status === 'Suspended';
    } catch (err) {
      if ((err as { name?: string }).name === 'NotImplemented') return false;
      throw err;
    }
  }

  private async *objects(prefix: string, versioned: boolean, ctx: ConnectorContext): AsyncGenerator<StoredObject> {
    if (versioned) {
      yield* this.versions(prefix, ctx);
      return;
    }
    let token: string | undefined;
    do {
      const out = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.config.bucket, Prefix: prefix, ContinuationToken: token }),
        { abortSignal: ctx.signal },
      );
      // S3 leaves `Contents` out of an empty listing; a truncated one must say where it goes on.
      const contents = out.Contents ?? [];
      for (const o of contents) if (o.Key) yield { key: o.Key, latest: true };
      token = nextCursor(this.id, 'ListObjectsV2', { more: out.IsTruncated === true, cursor: out.NextContinuationToken, size: contents.length, previous: token, emptyMayContinue: true });
    } while (token);
  }

  /** Every version and delete marker under the prefix (ListObjectVersions pages by key and version markers). */
  private async *versions(prefix: string, ctx: ConnectorContext): AsyncGenerator<StoredObject> {
    let keyMarker: string | undefined;
    let versionMarker: string | undefined;
    let previous: string | undefined;
    for (;;) {
      const out = await this.s3.send(
        new ListObjectVersionsCommand({ Bucket: this.config.bucket, Prefix: prefix, KeyMarker: keyMarker, VersionIdMarker: versionMarker }),
        { abortSignal: ctx.signal },
      );
      const versions = out.Versions ?? [];
      const markers = out.DeleteMarkers ?? [];
      for (const v of versions) if (v.Key) yield { key: v.Key, versionId: v.VersionId, latest: v.IsLatest === true };
      for (const m of markers) if (m.Key) yield { key: m.Key, versionId: m.VersionId, latest: m.IsLatest === true, deleteMarker: true };
      const cursor = out.NextKeyMarker ? `${out.NextKeyMarker}\u0000${out.NextVersionIdMarker ?? ''}` : undefined;
      const next = nextCursor(this.id, 'ListObjectVersions', { more: out.IsTruncated === true, cursor, size: versions.length + markers.length, previous, emptyMayContinue: true });
      if (!next) return;
      previous = next;
      keyMarker = out.NextKeyMarker;
      versionMarker = out.NextVersionIdMarker;
    }
  }

  /** The objects under the prefix that hold data (not delete markers). */
  private async *stored(prefix: string, versioned: boolean, ctx: ConnectorContext): AsyncGenerator<StoredObject> {
    for await (const object of this.objects(prefix, versioned, ctx)) if (!object.deleteMarker) yield object;
  }

  private async *lines(object: StoredObject, ctx: ConnectorContext): AsyncGenerator<{ n: number; value: Record<string, unknown> }> {
    const out = await this.s3.send(new GetObjectCommand({ Bucket: this.config.bucket, Key: object.key, VersionId: object.versionId }), { abortSignal: ctx.signal });
    const rl = createInterface({ input: out.Body as Readable, crlfDelay: Infinity });
    let n = 0;
    for await (const line of rl) {
      n++;
      if (!line.trim()) continue;
      yield { n, value: JSON.parse(line) as Record<string, unknown> };
    }
  }

  /**
   * How many records an object holds, without parsing it: from its `x-amz-meta-dsar-record-count`
   * metadata when the system that wrote it set one (then the body is never read: the answer's headers
   * come first, and the stream is dropped), otherwise by counting its non-blank lines as the bytes go
   * by, one chunk in memory at a time.
   */
  private async count(object: StoredObject, ctx: ConnectorContext): Promise<number> {
    const out = await this.s3.send(new GetObjectCommand({ Bucket: this.config.bucket, Key: object.key, VersionId: object.versionId }), { abortSignal: ctx.signal });
    const body = out.Body as Readable | undefined;
    const stated = recordCountOf(out.Metadata);
    if (stated !== undefined) {
      body?.destroy?.();
      return stated;
    }
    return body ? countLines(body) : 0;
  }

  /** The records of every object, side by side within the S3 bound; in the objects' order. */
  private counts(objects: StoredObject[], ctx: ConnectorContext): Promise<number[]> {
    return mapInOrder(objects, VENDOR_CONCURRENCY.s3, (o) => this.count(o, ctx));
  }

  async *access(subject: Subject, ctx: ConnectorContext): AsyncIterable<DataRecord> {
    try {
      const prefixes = await this.prefixes(subject, ctx);
      const versioned = prefixes.length > 0 && (await this.versioned(ctx));
      const read = async (object: StoredObject) => ({ object, lines: await collect(this.lines(object, ctx)) });
      for (const prefix of prefixes) {
        // The next objects are read while this one's records are handed on; listing goes on meanwhile.
        for await (const { object, lines } of inOrderAhead(this.stored(prefix, versioned, ctx), VENDOR_CONCURRENCY.s3, read)) {
          for (const { n, value } of lines) {
            const id = typeof value.id === 'string' ? value.id : `${object.key}#${n}`;
            // An earlier version still holds the data (what an erasure must also remove): its records
            // are the subject's too, named by the version they sit in.
            yield { object: this.config.objectName, id: object.latest ? id : `${id}@${object.versionId}`, data: value };
          }
        }
      }
    } catch (err) {
      throw mapAwsError(this.id, err);
    }
  }

  async erase(subject: Subject, policyFor: PolicyFor, ctx: ConnectorContext): Promise<ErasureOutcome> {
    const object = this.config.objectName;
    const policy = policyFor(object);
    try {
      const prefixes = await this.prefixes(subject, ctx);
      const versioned = prefixes.length > 0 && (await this.versioned(ctx));
      const stored: StoredObject[] = [];
      for (const prefix of prefixes) for await (const o of this.objects(prefix, versioned, ctx)) stored.push(o);
      const data = stored.filter((o) => !o.deleteMarker);
      const items: ErasureItem[] = [];
      const report = async (item: ErasureItem) => {
        items.push(item);
        await ctx.erased?.(item);
      };
      if (data.length === 0) {
        await report({ object, action: 'not_found', count: 0 });
        return { connectorId: this.id, items };
      }
      if (policy.action === 'retain') {
        const records = (await this.counts(data, ctx)).reduce((a, b) => a + b, 0);
        await report({ object, action: 'retained', count: records, legalBasis: policy.legalBasis, retentionPeriod: policy.retentionPeriod });
        return { connectorId: this.id, items };
      }
      const perObject = new Map<StoredObject, number>();
      if (policy.action === 'anonymize') {
        let records = 0;
        const fields = policy.fields;
        // The current copy of each key is rewritten masked (a new version where versioning is on);
        // every version listed before that, the masked one's predecessors, is deleted below.
        for (const o of data.filter((x) => x.latest)) {
          const lines = this.lines(o, ctx);
          const rewritten = async function* () {
            for await (const { value } of lines) {
              records++;
              yield `${JSON.stringify(anonymizeRecord(value, fields))}\n`;
            }
          };
          await new Upload({ client: this.s3, params: { Bucket: this.config.bucket, Key: o.key, Body: Readable.from(rewritten()) } }).done();
        }
        if (!versioned) {
          await report({ object, action: 'anonymized', count: records });
          return { connectorId: this.id, items };
        }
        // Masked before the old versions go, so reported first: a failed delete below leaves it true.
        await report({ object, action: 'anonymized', count: records });
        // Counted for what a lock keeps: a locked version, the masked one's predecessor included, still holds its records.
        for (const [i, n] of (await this.counts(data, ctx)).entries()) perObject.set(data[i]!, n);
        const { locked } = await this.deleteAll(stored, perObject, ctx, async () => {});
        if (locked) await report(locked);
        return { connectorId: this.id, items };
      }
      for (const [i, n] of (await this.counts(data, ctx)).entries()) perObject.set(data[i]!, n);
      const { deleted, locked } = await this.deleteAll(stored, perObject, ctx, (n) => report({ object, action: 'deleted', count: n }));
      if (deleted || !locked) await report({ object, action: 'deleted', count: deleted });
      if (locked) await report(locked);
      return { connectorId: this.id, items };
    } catch (err) {
      throw mapAwsError(this.id, err);
    }
  }

  /**
   * DeleteObjects in batches of 1000, each version by its id. Quiet mode lists only what S3 could not
   * delete (a missing key counts as deleted). A version Object Lock protects comes back AccessDenied:
   * its lock is read to tell it from a missing permission, and it is reported as retained with the
   * lock as the reason. Any other refusal fails the erasure, after reporting (through `deletedSoFar`)
   * the records that did go, since a later run no longer finds them.
   */
  private async deleteAll(
    stored: StoredObject[],
    records: Map<StoredObject, number>,
    ctx: ConnectorContext,
    deletedSoFar: (count: number) => Promise<void>,
  ): Promise<{ deleted: number; locked?: ErasureItem }> {
    let deleted = 0;
    const locks: Array<{ records: number; lock: Lock }> = [];
    for (const part of chunks(stored, 1000)) {
      const out = await this.s3.send(
        new DeleteObjectsCommand({
          Bucket: this.config.bucket,
          Delete: { Objects: part.map((o) => (o.versionId ? { Key: o.key, VersionId: o.versionId } : { Key: o.key })), Quiet: true },
        }),
        { abortSignal: ctx.signal },
      );
      const failedOf = (o: StoredObject) => (out.Errors ?? []).find((e) => e.Key === o.key && (e.VersionId ?? undefined) === (o.versionId ?? undefined));
      const failures: S3DeleteError[] = [];
      for (const o of part) {
        const failed = failedOf(o);
        if (!failed) {
          deleted += records.get(o) ?? 0;
          continue;
        }
        const lock = failed.Code === 'AccessDenied' && o.versionId ? await this.lockOf(o, ctx) : undefined;
        if (lock) locks.push({ records: records.get(o) ?? 0, lock });
        else failures.push(failed);
      }
      if (failures.length) {
        if (deleted) await deletedSoFar(deleted);
        const codes = [...new Set(failures.map((e) => e.Code ?? 'unknown'))].join(', ');
        throw new ConnectorIncompleteAnswer(this.id, `DeleteObjects left ${failures.length} of ${part.length} objects in place (${codes})`);
      }
    }
    return { deleted, locked: locks.length ? lockedItem(this.config.objectName, locks) : undefined };
  }

  /** The Object Lock that keeps this version, or undefined when there is none (the refusal was IAM's). */
  private async lockOf(o: StoredObject, ctx: ConnectorContext): Promise<Lock | undefined> {
    const read = async <T>(run: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await run();
      } catch (err) {
        if (NO_LOCK.has((err as { name?: string }).name ?? '')) return undefined;
        throw err;
      }
    };
    const target = { Bucket: this.config.bucket, Key: o.key, VersionId: o.versionId };
    const retention = await read(() => this.s3.send(new GetObjectRetentionCommand(target), { abortSignal: ctx.signal }));
    const hold = await read(() => this.s3.send(new GetObjectLegalHoldCommand(target), { abortSignal: ctx.signal }));
    const retainUntil = retention?.Retention?.RetainUntilDate;
    const legalHold = hold?.LegalHold?.Status === 'ON';
    if (!retainUntil && !legalHold) return undefined;
    return { retainUntil: retainUntil ? new Date(retainUntil) : undefined, mode: retention?.Retention?.Mode, legalHold };
  }
}

/** User metadata (`x-amz-meta-dsar-record-count`) a writer may set to spare the count a read of the body. */
export const RECORD_COUNT_METADATA = 'dsar-record-count';

function recordCountOf(metadata: Record<string, string> | undefined): number | undefined {
  const value = metadata?.[RECORD_COUNT_METADATA]?.trim();
  if (!value || !/^\d+$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Lines holding more than white space, counted on the bytes (what `lines` would yield, unparsed). */
async function countLines(body: AsyncIterable<Uint8Array | string>): Promise<number> {
  let n = 0;
  let content = false;
  for await (const chunk of body) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    for (const b of bytes) {
      if (b === 0x0a) {
        if (content) n++;
        content = false;
      } else if (b !== 0x20 && b !== 0x09 && b !== 0x0d) {
        content = true;
      }
    }
  }
  return content ? n + 1 : n;
}

/** One retained item for every locked version: why S3 keeps them, and until when. */
function lockedItem(object: string, locks: Array<{ records: number; lock: Lock }>): ErasureItem {
  const modes = [...new Set(locks.flatMap(({ lock }) => (lock.retainUntil ? [`${lock.mode ?? 'retention'} mode retention`] : [])))];
  const held = locks.some(({ lock }) => lock.legalHold);
  const reasons = [...modes, ...(held ? ['a legal hold'] : [])].join(' and ');
  const until = locks.map(({ lock }) => lock.retainUntil).filter((d): d is Date => d !== undefined).sort((a, b) => b.getTime() - a.getTime())[0];
  const periods = [...(until ? [`until ${until.toISOString().slice(0, 10)}`] : []), ...(held ? ['until the legal hold is removed'] : [])];
  return {
    object,
    action: 'retained',
    count: locks.reduce((n, l) => n + l.records, 0),
    legalBasis: `S3 Object Lock (${reasons}) on ${locks.length} stored version(s): S3 refuses to delete them, to everyone, while the lock lasts`,
    retentionPeriod: periods.join(', and '),
  };
}
