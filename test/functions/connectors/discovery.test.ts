/**
 * Discovery counts the subject's records per object without exporting them: against the SaaS sandboxes,
 * s3rver and (mocked) DynamoDB, its numbers are those `access` would export, and it writes nothing.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import type { SaasConnectorConfig } from '#commons/config';
import { discover, totalOf } from '#connectors/discovery';
import { DynamoDbTableConnector } from '#connectors/dynamodb-table';
import { ConnectorThrottled, ConnectorUnavailable } from '#connectors/errors';
import { S3ObjectsConnector } from '#connectors/s3-objects';
import { createSaasConnector } from '#connectors/saas';
import { startSandboxes, type Sandboxes } from '../../../infra/local/sandboxes/index.ts';
import { startS3rver, type S3rverHandle } from '../../support/s3rver.ts';
import { ACCOUNTS_CONFIG, CALLS_CONFIG, collect, countBy, ctx, depsFor, gaSettings, saasConfig, subjectOf, watchRequests } from './support.ts';

let sb: Sandboxes;
beforeAll(async () => {
  sb = await startSandboxes({ crowd: 20 });
});
afterAll(() => sb.close());
afterEach(() => sb.faults.reset());

const SAAS: Array<SaasConnectorConfig['kind']> = ['salesforce', 'stripe', 'hubspot', 'google-analytics'];
const saas = (kind: SaasConnectorConfig['kind']) =>
  createSaasConnector(saasConfig(kind, sb.urls[kind === 'google-analytics' ? 'googleAnalytics' : kind], kind === 'google-analytics' ? gaSettings(sb, 0) : {}), depsFor(sb));

describe.each(SAAS)('discovery on the %s sandbox', (kind) => {
  it("counts alice's records per object exactly as access would export them", async () => {
    const counts = await discover(saas(kind), subjectOf('alice@example.com'), ctx);
    const exported = countBy(await collect(saas(kind).access(subjectOf('alice@example.com'), ctx)));
    expect(counts).toEqual(exported);
    expect(totalOf(counts)).toBeGreaterThan(0);
  });

  it('counts nothing for carol, who is in no system', async () => {
    expect(await discover(saas(kind), subjectOf('carol@example.com'), ctx)).toEqual({});
  });
});

/** Every call made to a vendor while `run` runs, as `METHOD /path`. */
async function callsDuring(run: () => Promise<unknown>): Promise<string[]> {
  const calls: string[] = [];
  await watchRequests((url, init) => calls.push(`${init?.method ?? 'GET'} ${new URL(url).pathname}`), run);
  return calls;
}

describe('discovery only reads', () => {
  it.each(['salesforce', 'stripe', 'hubspot'] as const)('on %s: every call is a GET, a token, or a read-only search or batch read', async (kind) => {
    const calls = await callsDuring(() => discover(saas(kind), subjectOf('alice@example.com'), ctx));
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.filter((m) => !m.startsWith('GET ') && !/token|oauth|search|batch\/read/i.test(m))).toEqual([]);
  });

  it('on Google Analytics: no call at all (GA has no per-user read API; its record is the identifiers the company holds)', async () => {
    expect(await callsDuring(() => discover(saas('google-analytics'), subjectOf('alice@example.com'), ctx))).toEqual([]);
  });
});

describe('discovery errors', () => {
  it("fails with the vendor's typed error, which the workflow shows as could not count", async () => {
    sb.faults.set('hubspot', { failNext: { match: '/crm/', status: 503, count: 50 } });
    await expect(discover(saas('hubspot'), subjectOf('alice@example.com'), ctx)).rejects.toBeInstanceOf(ConnectorUnavailable);
  });
});

describe('discovery on the S3 call history (s3rver)', () => {
  let emulator: S3rverHandle;
  beforeAll(async () => {
    emulator = await startS3rver({ buckets: ['demo-call-history'] });
  });
  afterAll(() => emulator.close());

  it('counts the lines of every object in the folder and writes nothing to the bucket', async () => {
    await emulator.s3.send(new PutObjectCommand({ Bucket: 'demo-call-history', Key: 'users/acc-7/a.jsonl', Body: '{"id":"1"}\n{"id":"2"}\n' }));
    await emulator.s3.send(new PutObjectCommand({ Bucket: 'demo-call-history', Key: 'users/acc-7/b.jsonl', Body: '{"id":"3"}\n' }));
    const c = new S3ObjectsConnector(CALLS_CONFIG, emulator.s3, { resolveIdentifier: async () => ['acc-7'] });
    const before = await emulator.s3.send(new ListObjectsV2Command({ Bucket: 'demo-call-history' }));

    expect(await discover(c, subjectOf('alice@example.com'), ctx)).toEqual({ call: 3 });

    const after = await emulator.s3.send(new ListObjectsV2Command({ Bucket: 'demo-call-history' }));
    expect(after.Contents?.map((o) => o.Key)).toEqual(before.Contents?.map((o) => o.Key));
  });

  it('counts nothing for a subject without an account id', async () => {
    const c = new S3ObjectsConnector(CALLS_CONFIG, emulator.s3, { resolveIdentifier: async () => [] });
    expect(await discover(c, subjectOf('carol@example.com'), ctx)).toEqual({});
  });
});

describe('discovery on a DynamoDB table', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  afterEach(() => ddb.reset());
  const config = ACCOUNTS_CONFIG;
  const connector = new DynamoDbTableConnector(config, DynamoDBDocumentClient.from(new DynamoDBClient({})));

  it('asks DynamoDB for the count only (Select COUNT), over every page, and receives no item', async () => {
    ddb.on(QueryCommand).resolvesOnce({ Count: 2, LastEvaluatedKey: { accountId: 'acc-2' } }).resolvesOnce({ Count: 1 });

    expect(await discover(connector, subjectOf('Alice@Example.com'), ctx)).toEqual({ account: 3 });

    const calls = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(calls.map((i) => [i.Select, i.ExpressionAttributeValues?.[':v'], i.ExclusiveStartKey])).toEqual([
      ['COUNT', 'alice@example.com', undefined],
      ['COUNT', 'alice@example.com', { accountId: 'acc-2' }],
    ]);
  });

  it('says zero for a subject the index does not hold', async () => {
    ddb.on(QueryCommand).resolves({ Count: 0 });
    expect(await discover(connector, subjectOf('carol@example.com'), ctx)).toEqual({ account: 0 });
  });

  it('maps a throttled query to the typed connector error', async () => {
    ddb.on(QueryCommand).rejects(Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' }));
    await expect(discover(connector, subjectOf('alice@example.com'), ctx)).rejects.toBeInstanceOf(ConnectorThrottled);
  });
});
