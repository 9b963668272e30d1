/**
 * ensureBucket tells a missing bucket from a broken one: only the first is created. The demo seeding
 * runs in a child process that exits.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { HeadBucketCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { callsOf, DEMO_ACCOUNTS_TABLE, DEMO_CALLS_BUCKET, ensureBucket, seedCompanyStoresInChild } from '../../../infra/local/seed.ts';
import { startDynamoDb, type Emulator } from '../../../infra/local/emulators.ts';
import { demoPeople } from '../../../infra/local/demo/people.ts';
import { S3RVER_CREDENTIALS, startS3rver, type S3rverHandle } from '../../support/s3rver.ts';

let emulator: S3rverHandle | undefined;
let dynamodb: Emulator | undefined;
let dynamoDir: string | undefined;
const savedEnv = { ...process.env };
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
  await dynamodb?.close();
  dynamodb = undefined;
  if (dynamoDir) rmSync(dynamoDir, { recursive: true, force: true });
  for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name];
  Object.assign(process.env, savedEnv);
});

describe('ensureBucket', () => {
  it('creates a bucket that is missing', async () => {
    emulator = await startS3rver();

    await ensureBucket(emulator.s3, 'dsar-exports');

    expect((await emulator.s3.send(new HeadBucketCommand({ Bucket: 'dsar-exports' }))).$metadata.httpStatusCode).toBe(200);
  });

  it('leaves a bucket that is there as it is', async () => {
    emulator = await startS3rver({ buckets: ['dsar-exports'] });
    await emulator.s3.send(new PutObjectCommand({ Bucket: 'dsar-exports', Key: 'k', Body: 'x' }));

    await ensureBucket(emulator.s3, 'dsar-exports');

    expect(readdirSync(join(emulator.directory, 'dsar-exports'))).toContain('k._S3rver_object');
  });

  it('reports a bucket the emulator cannot read, naming it, instead of failing to create it', async () => {
    emulator = await startS3rver({ buckets: ['dsar-staging'] });
    await emulator.s3.send(new PutObjectCommand({ Bucket: 'dsar-staging', Key: 'staging/dsar_x/a.jsonl', Body: 'x' }));
    // What an in-place write killed half-way used to leave (HEAD on a bucket lists it, and the listing fails).
    writeFileSync(join(emulator.directory, 'dsar-staging', 'staging/dsar_x/a.jsonl._S3rver_metadata.json'), '');

    const failure = await ensureBucket(emulator.s3, 'dsar-staging').then(() => undefined, (err: Error) => err);

    expect(failure?.message).toMatch(/the local bucket dsar-staging exists but the S3 emulator cannot read it \(HEAD answered 500/);
    expect(failure?.message).not.toMatch(/BucketAlreadyExists/);
  });
});

describe('seedCompanyStoresInChild', () => {
  it('fills the demo stores from a child process, reached through the environment the runtime set, and reports the counts', async () => {
    emulator = await startS3rver();
    dynamoDir = mkdtempSync(join(tmpdir(), 'seed-dynamodb-'));
    dynamodb = await startDynamoDb('127.0.0.1', 0, dynamoDir);
    // What startRuntime sets before it seeds; the child inherits it.
    Object.assign(process.env, {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamodb.url,
      AWS_ENDPOINT_URL_S3: emulator.endpoint,
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
    });
    delete process.env.AWS_SESSION_TOKEN;

    const counts = await seedCompanyStoresInChild(6);

    const people = demoPeople(6);
    const expectedObjects = people.filter((p) => p.systems.has('calls')).flatMap(callsOf).length;
    expect(counts).toEqual({ accounts: people.filter((p) => p.systems.has('accounts')).length, callObjects: expectedObjects });
    const db = new DynamoDBClient({ endpoint: dynamodb.url, region: 'us-east-1', credentials: S3RVER_CREDENTIALS });
    const items = await db.send(new ScanCommand({ TableName: DEMO_ACCOUNTS_TABLE, Select: 'COUNT' }));
    db.destroy();
    expect(items.Count).toBe(counts.accounts);
    const listed = await emulator.s3.send(new ListObjectsV2Command({ Bucket: DEMO_CALLS_BUCKET }));
    expect(listed.KeyCount).toBe(expectedObjects);
  }, 60_000);

  it('reports a seeding that failed with what the child said, rather than counts', async () => {
    // No emulator listens there: the child fails to reach DynamoDB.
    Object.assign(process.env, {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'x',
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9',
      AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9',
      AWS_MAX_ATTEMPTS: '1',
    });

    await expect(seedCompanyStoresInChild(1)).rejects.toThrow(/seeding the demo stores failed \(exit 1\): .*ECONNREFUSED/s);
  }, 60_000);
});
