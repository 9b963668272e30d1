import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DeleteObjectsCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectLegalHoldCommand,
  GetObjectRetentionCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { S3ObjectsConnector } from '#connectors/s3-objects';
import { VENDOR_CONCURRENCY } from '#connectors/concurrency';
import { ConnectorIncompleteAnswer } from '#connectors/errors';
import type { DataRecord, ErasureItem } from '#connectors/types';
import { CALLS_CONFIG } from './support.ts';

const s3 = mockClient(S3Client);
afterEach(() => s3.reset());

const config = CALLS_CONFIG;
const subject = { email: 'alice@example.com', normalizedEmail: 'alice@example.com' };
const ctx = { requestId: 'dsar_test' };

function connectorWithIds(ids: string[], resolved: Array<[string, string]> = []) {
  return new S3ObjectsConnector(config, new S3Client({}), {
    resolveIdentifier: async (_s, connectorId, attribute) => {
      resolved.push([connectorId, attribute]);
      return ids;
    },
  });
}

const body = (text: string) => Readable.from([Buffer.from(text)]) as never;

async function all(it: AsyncIterable<DataRecord>): Promise<DataRecord[]> {
  const out: DataRecord[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('S3ObjectsConnector', () => {
  it('reads the JSON lines under the folder named by another connector’s identifier', async () => {
    const resolved: Array<[string, string]> = [];
    s3.on(ListObjectsV2Command, { Prefix: 'users/acc-1/' }).resolves({ Contents: [{ Key: 'users/acc-1/2026-01.jsonl' }] });
    s3.on(GetObjectCommand).callsFake(() => ({ Body: body('{"id":"c1","to":"bob"}\n\n{"to":"carol"}\n') }));

    const records = await all(connectorWithIds(['acc-1'], resolved).access(subject, ctx));

    expect(resolved).toEqual([['accounts', 'accountId']]);
    expect(records).toEqual([
      { object: 'call', id: 'c1', data: { id: 'c1', to: 'bob' } },
      { object: 'call', id: 'users/acc-1/2026-01.jsonl#3', data: { to: 'carol' } },
    ]);
    expect(s3.commandCalls(ListObjectsV2Command)[0]!.args[0].input).toMatchObject({ Bucket: 'demo-call-history', Prefix: 'users/acc-1/' });
  });

  it.each([['../acc-2'], ['acc-1/../../'], ['a/b'], ['a\\b'], ['..']])('never builds a prefix from the identifier %j', async (id) => {
    s3.on(ListObjectsV2Command).resolves({ Contents: [] });

    const records = await all(connectorWithIds([id]).access(subject, ctx));

    expect(records).toEqual([]);
    expect(s3.commandCalls(ListObjectsV2Command)).toHaveLength(0);
  });

  it('reads nothing when the subject has no identifier in the other system', async () => {
    expect(await all(connectorWithIds([]).access(subject, ctx))).toEqual([]);
    expect(s3.calls()).toHaveLength(0);
  });

  it('uses the normalised email as the folder when configured so', async () => {
    s3.on(ListObjectsV2Command).resolves({ Contents: [] });
    const byEmail = new S3ObjectsConnector({ ...config, subjectKey: { from: 'email' } }, new S3Client({}), { resolveIdentifier: async () => [] });

    await all(byEmail.access({ email: 'Alice@Example.com', normalizedEmail: 'alice@example.com' }, ctx));

    expect(s3.commandCalls(ListObjectsV2Command)[0]!.args[0].input.Prefix).toBe('users/alice@example.com/');
  });

  it('erases by deleting every object in the folder and counts the records', async () => {
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'users/acc-1/a.jsonl' }, { Key: 'users/acc-1/b.jsonl' }] });
    s3.on(GetObjectCommand).callsFake(() => ({ Body: body('{"id":"1"}\n{"id":"2"}\n') }));
    s3.on(DeleteObjectsCommand).resolves({});

    const out = await connectorWithIds(['acc-1']).erase(subject, () => ({ action: 'delete' }), ctx);

    expect(out).toEqual({ connectorId: 'calls', items: [{ object: 'call', action: 'deleted', count: 4 }] });
    const deleted = s3.commandCalls(DeleteObjectsCommand)[0]!.args[0].input;
    expect(deleted.Bucket).toBe('demo-call-history');
    expect(deleted.Delete!.Objects).toEqual([{ Key: 'users/acc-1/a.jsonl' }, { Key: 'users/acc-1/b.jsonl' }]);
  });

  it('counts an object’s records from its dsar-record-count metadata without reading its body', async () => {
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'users/acc-1/a.jsonl' }, { Key: 'users/acc-1/b.jsonl' }] });
    let read = 0;
    const unread = () => new Readable({ read() { read++; this.push(Buffer.from('{"id":"x"}\n')); this.push(null); } });
    s3.on(GetObjectCommand).callsFake(() => ({ Metadata: { 'dsar-record-count': '120' }, Body: unread() }));
    s3.on(DeleteObjectsCommand).resolves({});

    const out = await connectorWithIds(['acc-1']).erase(subject, () => ({ action: 'delete' }), ctx);

    expect(out.items).toEqual([{ object: 'call', action: 'deleted', count: 240 }]);
    expect(read).toBe(0);
  });

  it('counts the non-blank lines across chunk boundaries when there is no count in the metadata', async () => {
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'users/acc-1/a.jsonl' }] });
    const chunks = ['{"id":"1"}\n{"id"', ':"2"}\r\n\n  \n{"id":"3"}'].map((t) => Buffer.from(t));
    s3.on(GetObjectCommand).callsFake(() => ({ Metadata: { 'dsar-record-count': 'many' }, Body: Readable.from(chunks) }));

    const out = await connectorWithIds(['acc-1']).erase(subject, () => ({ action: 'retain', legalBasis: 'law', retentionPeriod: '1 year' }), ctx);

    expect(out.items).toEqual([{ object: 'call', action: 'retained', count: 3, legalBasis: 'law', retentionPeriod: '1 year' }]);
  });

  it('reads objects for counting side by side, never more than the S3 bound at once', async () => {
    const keys = Array.from({ length: 20 }, (_, i) => ({ Key: `users/acc-1/${i}.jsonl` }));
    s3.on(ListObjectsV2Command).resolves({ Contents: keys });
    let inFlight = 0;
    let most = 0;
    s3.on(GetObjectCommand).callsFake(async () => {
      most = Math.max(most, ++inFlight);
      await new Promise<void>((resolve) => setImmediate(resolve));
      inFlight--;
      return { Body: body('{"id":"1"}\n') };
    });
    s3.on(DeleteObjectsCommand).resolves({});

    const out = await connectorWithIds(['acc-1']).erase(subject, () => ({ action: 'delete' }), ctx);

    expect(out.items).toEqual([{ object: 'call', action: 'deleted', count: 20 }]);
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(VENDOR_CONCURRENCY.s3);
  });

  it('reports not_found when the folder is empty', async () => {
    s3.on(ListObjectsV2Command).resolves({ Contents: [] });

    const out = await connectorWithIds(['acc-1']).erase(subject, () => ({ action: 'delete' }), ctx);

    expect(out.items).toEqual([{ object: 'call', action: 'not_found', count: 0 }]);
    expect(s3.commandCalls(DeleteObjectsCommand)).toHaveLength(0);
  });

  it('turns a missing bucket into ConnectorMisconfigured', async () => {
    s3.on(ListObjectsV2Command).rejects(Object.assign(new Error('nope'), { name: 'NoSuchBucket' }));

    await expect(all(connectorWithIds(['acc-1']).access(subject, ctx))).rejects.toMatchObject({ name: 'ConnectorMisconfigured', transient: false });
  });
});

describe('S3ObjectsConnector with partial answers', () => {
  it('fails a truncated listing that gives no continuation token', async () => {
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'users/acc-1/a.jsonl' }], IsTruncated: true });
    s3.on(GetObjectCommand).callsFake(() => ({ Body: body('{"id":"1"}\n') }));

    await expect(all(connectorWithIds(['acc-1']).access(subject, ctx))).rejects.toThrow(
      new ConnectorIncompleteAnswer('calls', 'ListObjectsV2 said there is more but gave no cursor to it'),
    );
  });

  it('follows a truncated empty page that does give a token (S3 may send one)', async () => {
    s3.on(ListObjectsV2Command)
      .resolvesOnce({ IsTruncated: true, NextContinuationToken: 't1' })
      .resolvesOnce({ Contents: [{ Key: 'users/acc-1/a.jsonl' }], IsTruncated: false });
    s3.on(GetObjectCommand).callsFake(() => ({ Body: body('{"id":"1"}\n') }));

    expect((await all(connectorWithIds(['acc-1']).access(subject, ctx))).map((r) => r.id)).toEqual(['1']);
  });

  it('fails an erasure when DeleteObjects lists keys it could not delete, reporting the records that did go', async () => {
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'users/acc-1/a.jsonl' }, { Key: 'users/acc-1/b.jsonl' }] });
    s3.on(GetObjectCommand, { Key: 'users/acc-1/a.jsonl' }).callsFake(() => ({ Body: body('{"id":"1"}\n{"id":"2"}\n') }));
    s3.on(GetObjectCommand, { Key: 'users/acc-1/b.jsonl' }).callsFake(() => ({ Body: body('{"id":"3"}\n') }));
    s3.on(DeleteObjectsCommand).resolves({ Errors: [{ Key: 'users/acc-1/b.jsonl', Code: 'InternalError', Message: 'try again' }] });
    const reported: ErasureItem[] = [];

    const run = connectorWithIds(['acc-1']).erase(subject, () => ({ action: 'delete' }), { ...ctx, erased: async (i) => void reported.push(i) });

    await expect(run).rejects.toThrow(new ConnectorIncompleteAnswer('calls', 'DeleteObjects left 1 of 2 objects in place (InternalError)'));
    expect(reported).toEqual([{ object: 'call', action: 'deleted', count: 2 }]);
  });
});

describe('S3ObjectsConnector on a versioned bucket', () => {
  const versions = {
    Versions: [
      { Key: 'users/acc-1/a.jsonl', VersionId: 'a2', IsLatest: true },
      { Key: 'users/acc-1/a.jsonl', VersionId: 'a1', IsLatest: false },
      { Key: 'users/acc-1/b.jsonl', VersionId: 'b1', IsLatest: false },
    ],
    DeleteMarkers: [{ Key: 'users/acc-1/b.jsonl', VersionId: 'b2', IsLatest: true }],
  };
  const withVersions = (status: 'Enabled' | 'Suspended' = 'Enabled') => {
    s3.on(GetBucketVersioningCommand).resolves({ Status: status });
    s3.on(ListObjectVersionsCommand).resolves(versions);
    s3.on(GetObjectCommand, { VersionId: 'a2' }).callsFake(() => ({ Body: body('{"id":"1"}\n{"id":"2"}\n') }));
    s3.on(GetObjectCommand, { VersionId: 'a1' }).callsFake(() => ({ Body: body('{"id":"1"}\n') }));
    s3.on(GetObjectCommand, { VersionId: 'b1' }).callsFake(() => ({ Body: body('{"id":"3"}\n') }));
  };
  const deletedVersions = () => s3.commandCalls(DeleteObjectsCommand).flatMap((c) => c.args[0].input.Delete!.Objects!);

  it.each(['Enabled', 'Suspended'] as const)('deletes every version and delete marker by its version id when versioning is %s', async (status) => {
    withVersions(status);
    s3.on(DeleteObjectsCommand).resolves({});

    const out = await connectorWithIds(['acc-1']).erase(subject, () => ({ action: 'delete' }), ctx);

    expect(out.items).toEqual([{ object: 'call', action: 'deleted', count: 4 }]);
    expect(deletedVersions()).toEqual([
      { Key: 'users/acc-1/a.jsonl', VersionId: 'a2' },
      { Key: 'users/acc-1/a.jsonl', VersionId: 'a1' },
      { Key: 'users/acc-1/b.jsonl', VersionId: 'b1' },
      { Key: 'users/acc-1/b.jsonl', VersionId: 'b2' },
    ]);
    expect(s3.commandCalls(ListObjectsV2Command)).toHaveLength(0);
  });

  it('reads back the earlier versions too, so a key hidden by a delete marker still counts as found', async () => {
    withVersions();

    const records = await all(connectorWithIds(['acc-1']).access(subject, ctx));

    expect(records.map((r) => r.id)).toEqual(['1', '2', '1@a1', '3@b1']);
    expect(s3.commandCalls(ListObjectVersionsCommand)[0]!.args[0].input).toMatchObject({ Bucket: 'demo-call-history', Prefix: 'users/acc-1/' });
  });

  it('follows ListObjectVersions pages by key and version marker', async () => {
    s3.on(GetBucketVersioningCommand).resolves({ Status: 'Enabled' });
    s3.on(ListObjectVersionsCommand)
      .resolvesOnce({ Versions: [{ Key: 'users/acc-1/a.jsonl', VersionId: 'a2', IsLatest: true }], IsTruncated: true, NextKeyMarker: 'users/acc-1/a.jsonl', NextVersionIdMarker: 'a2' })
      .resolvesOnce({ Versions: [{ Key: 'users/acc-1/a.jsonl', VersionId: 'a1', IsLatest: false }], IsTruncated: false });
    s3.on(GetObjectCommand).callsFake(() => ({ Body: body('{"id":"1"}\n') }));

    expect((await all(connectorWithIds(['acc-1']).access(subject, ctx))).map((r) => r.id)).toEqual(['1', '1@a1']);
    expect(s3.commandCalls(ListObjectVersionsCommand)[1]!.args[0].input).toMatchObject({ KeyMarker: 'users/acc-1/a.jsonl', VersionIdMarker: 'a2' });
  });

  it('records versions that Object Lock keeps as retained with the lock and its date, and deletes the rest', async () => {
    withVersions();
    s3.on(DeleteObjectsCommand).resolves({
      Errors: [
        { Key: 'users/acc-1/a.jsonl', VersionId: 'a1', Code: 'AccessDenied', Message: 'Access Denied' },
        { Key: 'users/acc-1/b.jsonl', VersionId: 'b1', Code: 'AccessDenied', Message: 'Access Denied' },
      ],
    });
    s3.on(GetObjectRetentionCommand, { VersionId: 'a1' }).resolves({ Retention: { Mode: 'COMPLIANCE', RetainUntilDate: new Date('2031-03-01T00:00:00Z') } });
    s3.on(GetObjectRetentionCommand, { VersionId: 'b1' }).rejects(Object.assign(new Error('none'), { name: 'NoSuchObjectLockConfiguration' }));
    s3.on(GetObjectLegalHoldCommand, { VersionId: 'a1' }).rejects(Object.assign(new Error('none'), { name: 'NoSuchObjectLockConfiguration' }));
    s3.on(GetObjectLegalHoldCommand, { VersionId: 'b1' }).resolves({ LegalHold: { Status: 'ON' } });
    const reported: ErasureItem[] = [];

    const out = await connectorWithIds(['acc-1']).erase(subject, () => ({ action: 'delete' }), { ...ctx, erased: async (i) => void reported.push(i) });

    expect(out.items).toEqual([
      { object: 'call', action: 'deleted', count: 2 },
      {
        object: 'call',
        action: 'retained',
        count: 2,
        legalBasis: 'S3 Object Lock (COMPLIANCE mode retention and a legal hold) on 2 stored version(s): S3 refuses to delete them, to everyone, while the lock lasts',
        retentionPeriod: 'until 2031-03-01, and until the legal hold is removed',
      },
    ]);
    expect(reported).toEqual(out.items);
  });

  it('fails on an AccessDenied that no lock explains (a missing permission), reporting what did go', async () => {
    withVersions();
    s3.on(DeleteObjectsCommand).resolves({ Errors: [{ Key: 'users/acc-1/a.jsonl', VersionId: 'a1', Code: 'AccessDenied', Message: 'Access Denied' }] });
    s3.on(GetObjectRetentionCommand).rejects(Object.assign(new Error('none'), { name: 'NoSuchObjectLockConfiguration' }));
    s3.on(GetObjectLegalHoldCommand).rejects(Object.assign(new Error('none'), { name: 'NoSuchObjectLockConfiguration' }));
    const reported: ErasureItem[] = [];

    const run = connectorWithIds(['acc-1']).erase(subject, () => ({ action: 'delete' }), { ...ctx, erased: async (i) => void reported.push(i) });

    await expect(run).rejects.toThrow(new ConnectorIncompleteAnswer('calls', 'DeleteObjects left 1 of 4 objects in place (AccessDenied)'));
    expect(reported).toEqual([{ object: 'call', action: 'deleted', count: 3 }]);
  });

  it('anonymizes by rewriting the current copy and deleting every earlier version, which still holds the data', async () => {
    withVersions();
    s3.on(PutObjectCommand).resolves({});
    s3.on(DeleteObjectsCommand).resolves({});

    const out = await connectorWithIds(['acc-1']).erase(subject, () => ({ action: 'anonymize', fields: { id: 'redact' } }), ctx);

    expect(out.items).toEqual([{ object: 'call', action: 'anonymized', count: 2 }]);
    expect(s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key)).toEqual(['users/acc-1/a.jsonl']);
    expect(deletedVersions().map((o) => o.VersionId)).toEqual(['a2', 'a1', 'b1', 'b2']);
  });

  it('reports the masking first and an earlier version under a legal hold as retained with its records', async () => {
    withVersions();
    s3.on(PutObjectCommand).resolves({});
    s3.on(DeleteObjectsCommand).resolves({ Errors: [{ Key: 'users/acc-1/a.jsonl', VersionId: 'a1', Code: 'AccessDenied', Message: 'Access Denied' }] });
    s3.on(GetObjectRetentionCommand).rejects(Object.assign(new Error('none'), { name: 'NoSuchObjectLockConfiguration' }));
    s3.on(GetObjectLegalHoldCommand, { VersionId: 'a1' }).resolves({ LegalHold: { Status: 'ON' } });

    const out = await connectorWithIds(['acc-1']).erase(subject, () => ({ action: 'anonymize', fields: { id: 'redact' } }), ctx);

    expect(out.items).toEqual([
      { object: 'call', action: 'anonymized', count: 2 },
      expect.objectContaining({ action: 'retained', count: 1, retentionPeriod: 'until the legal hold is removed' }),
    ]);
  });
});
