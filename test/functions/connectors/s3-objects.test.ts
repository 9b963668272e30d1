import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { S3ConnectorConfig } from '#commons/config';
import { S3ObjectsConnector } from '#connectors/s3-objects';
import { ConnectorIncompleteAnswer } from '#connectors/errors';
import type { DataRecord, ErasureItem } from '#connectors/types';

const s3 = mockClient(S3Client);
afterEach(() => s3.reset());

const config: S3ConnectorConfig = {
  id: 'calls',
  kind: 's3',
  displayName: 'Calls',
  enabled: true,
  bucket: 'demo-call-history',
  prefixTemplate: 'users/{subjectKey}/',
  subjectKey: { from: 'connector', connectorId: 'accounts', attribute: 'accountId' },
  objectName: 'call',
  erasure: { action: 'delete' },
  objects: {},
};
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
