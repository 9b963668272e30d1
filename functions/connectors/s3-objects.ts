/**
 * An S3 store of the company's own where each user has a folder of JSON-lines objects (the demo's call
 * history). The folder is named by the normalised email or by an id another connector holds (the
 * account id in the account store).
 */
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { S3ConnectorConfig } from '#commons/config';
import { mapAwsError } from './aws-errors.ts';
import { nextCursor } from './completeness.ts';
import { ConnectorIncompleteAnswer } from './errors.ts';
import { chunks } from './http.ts';
import { anonymizeRecord } from './anonymize.ts';
import type { Connector, ConnectorContext, ConnectorDeps, DataRecord, ErasureItem, ErasureOutcome, PolicyFor, Subject } from './types.ts';

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

  private async *keys(prefix: string, ctx: ConnectorContext): AsyncGenerator<string> {
    let token: string | undefined;
    do {
      const out = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.config.bucket, Prefix: prefix, ContinuationToken: token }),
        { abortSignal: ctx.signal },
      );
      // S3 leaves `Contents` out of an empty listing; a truncated one must say where it goes on.
      const contents = out.Contents ?? [];
      for (const o of contents) if (o.Key) yield o.Key;
      token = nextCursor(this.id, 'ListObjectsV2', { more: out.IsTruncated === true, cursor: out.NextContinuationToken, size: contents.length, previous: token, emptyMayContinue: true });
    } while (token);
  }

  private async *lines(key: string, ctx: ConnectorContext): AsyncGenerator<{ n: number; value: Record<string, unknown> }> {
    const out = await this.s3.send(new GetObjectCommand({ Bucket: this.config.bucket, Key: key }), { abortSignal: ctx.signal });
    const rl = createInterface({ input: out.Body as Readable, crlfDelay: Infinity });
    let n = 0;
    for await (const line of rl) {
      n++;
      if (!line.trim()) continue;
      yield { n, value: JSON.parse(line) as Record<string, unknown> };
    }
  }

  async *access(subject: Subject, ctx: ConnectorContext): AsyncIterable<DataRecord> {
    try {
      for (const prefix of await this.prefixes(subject, ctx)) {
        for await (const key of this.keys(prefix, ctx)) {
          for await (const { n, value } of this.lines(key, ctx)) {
            yield { object: this.config.objectName, id: typeof value.id === 'string' ? value.id : `${key}#${n}`, data: value };
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
      const keys: string[] = [];
      for (const prefix of await this.prefixes(subject, ctx)) for await (const key of this.keys(prefix, ctx)) keys.push(key);
      const done = async (item: ErasureItem): Promise<ErasureOutcome> => {
        await ctx.erased?.(item);
        return { connectorId: this.id, items: [item] };
      };
      if (keys.length === 0) return await done({ object, action: 'not_found', count: 0 });
      let records = 0;
      if (policy.action === 'retain') {
        for (const key of keys) for await (const _ of this.lines(key, ctx)) records++;
        return await done({ object, action: 'retained', count: records, legalBasis: policy.legalBasis, retentionPeriod: policy.retentionPeriod });
      }
      if (policy.action === 'anonymize') {
        for (const key of keys) {
          const fields = policy.fields;
          const lines = this.lines(key, ctx);
          const rewritten = async function* () {
            for await (const { value } of lines) {
              records++;
              yield `${JSON.stringify(anonymizeRecord(value, fields))}\n`;
            }
          };
          await new Upload({ client: this.s3, params: { Bucket: this.config.bucket, Key: key, Body: Readable.from(rewritten()) } }).done();
        }
        return await done({ object, action: 'anonymized', count: records });
      }
      const perKey = new Map<string, number>();
      for (const key of keys) {
        let n = 0;
        for await (const _ of this.lines(key, ctx)) n++;
        perKey.set(key, n);
        records += n;
      }
      let deleted = 0;
      for (const part of chunks(keys, 1000)) {
        const out = await this.s3.send(
          new DeleteObjectsCommand({ Bucket: this.config.bucket, Delete: { Objects: part.map((Key) => ({ Key })), Quiet: true } }),
          { abortSignal: ctx.signal },
        );
        // Quiet mode lists only the keys S3 could not delete (a missing key counts as deleted): any
        // entry means records are still there. What did go is reported before failing, since a later
        // run no longer finds it.
        const failed = out.Errors ?? [];
        const failedKeys = new Set(failed.map((e) => e.Key));
        for (const key of part) if (!failedKeys.has(key)) deleted += perKey.get(key) ?? 0;
        if (failed.length) {
          if (deleted) await ctx.erased?.({ object, action: 'deleted', count: deleted });
          const codes = [...new Set(failed.map((e) => e.Code ?? 'unknown'))].join(', ');
          throw new ConnectorIncompleteAnswer(this.id, `DeleteObjects left ${failed.length} of ${part.length} objects in place (${codes})`);
        }
      }
      return await done({ object, action: 'deleted', count: records });
    } catch (err) {
      throw mapAwsError(this.id, err);
    }
  }
}
