/**
 * Creates what the embedded runtime needs in its emulators (the request table and buckets) and the
 * demo company's own stores (account table, call-history bucket), and fills those with the demo people.
 * Tables and buckets are created only when missing, so a restart keeps everything.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceNotFoundException,
  type DynamoDBClient,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CreateBucketCommand, HeadBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { TABLE_INDEXES, TABLE_KEYS, projectionOf } from '../table.ts';
import { demoPeople, prng, type DemoPerson } from './demo/people.ts';
import { typescriptChildArgs } from './node-child.ts';

export async function ensureTable(db: DynamoDBClient, input: CreateTableCommandInput): Promise<boolean> {
  try {
    await db.send(new DescribeTableCommand({ TableName: input.TableName }));
    return false;
  } catch (err) {
    if (!(err instanceof ResourceNotFoundException)) throw err;
  }
  await db.send(new CreateTableCommand(input));
  return true;
}

/**
 * Checks that an existing local table has every index this version defines. dynalite cannot add an
 * index to an existing table, so a data folder from an older version must be started afresh, and the
 * user is told so rather than meeting failed queries later.
 */
export async function assertIndexes(db: DynamoDBClient, input: CreateTableCommandInput): Promise<void> {
  const table = (await db.send(new DescribeTableCommand({ TableName: input.TableName }))).Table;
  const existing = new Set((table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
  const missing = (input.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName!).filter((name) => !existing.has(name));
  if (missing.length) {
    throw new Error(
      `the local table ${input.TableName} lacks the index(es) ${missing.join(', ')}: it was made by an older version. ` +
        'Delete the data folder (.dsar/data, or DSAR_DATA_DIR) to start afresh.',
    );
  }
}

export function requestTableDefinition(tableName: string): CreateTableCommandInput {
  const attrs = new Set<string>([TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey]);
  for (const i of TABLE_INDEXES) {
    attrs.add(i.partitionKey);
    attrs.add(i.sortKey);
  }
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attrs].map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: TABLE_INDEXES.map((i) => ({
      IndexName: i.indexName,
      KeySchema: [
        { AttributeName: i.partitionKey, KeyType: 'HASH' },
        { AttributeName: i.sortKey, KeyType: 'RANGE' },
      ],
      Projection: projectionOf(i),
    })),
  };
}

/**
 * Creates a bucket only when the emulator says it is missing (404). Any other failure means the bucket
 * is there but cannot be read (a torn object makes s3rver's HEAD, which lists the bucket, answer 500):
 * creating it would only fail with BucketAlreadyExists, so the real problem is reported instead.
 */
export async function ensureBucket(s3: S3Client, bucket: string): Promise<void> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return;
  } catch (err) {
    const e = err as Error & { $metadata?: { httpStatusCode?: number } };
    if (e.name !== 'NotFound' && e.name !== 'NoSuchBucket' && e.$metadata?.httpStatusCode !== 404) {
      throw new Error(
        `the local bucket ${bucket} exists but the S3 emulator cannot read it (HEAD answered ` +
          `${e.$metadata?.httpStatusCode ?? e.name}: ${e.message}). Look for a damaged file under the data folder's s3/${bucket}.`,
        { cause: err },
      );
    }
  }
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
}

/** Runs `work` over `items` with at most `limit` at once. */
async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

export const DEMO_ACCOUNTS_TABLE = 'demo-accounts';
export const DEMO_CALLS_BUCKET = 'demo-call-history';

export function accountItem(p: DemoPerson): Record<string, unknown> {
  return {
    accountId: p.accountId,
    email: p.email.toLowerCase(),
    name: p.name,
    phone: p.phone,
    country: p.country,
    language: p.language,
    timezone: p.country === 'NO' ? 'Europe/Oslo' : 'UTC',
    plan: p.index % 3 === 0 ? 'business' : 'free',
    createdAt: new Date(Date.UTC(2022, p.index % 12, 1 + (p.index % 27))).toISOString(),
    gaUserId: p.gaUserId,
    gaClientId: p.gaClientId,
    lastLoginIp: `198.51.100.${p.index % 250}`,
    deviceType: ['desktop', 'ios', 'android'][p.index % 3],
    securitySettings: { mfa: p.index % 2 === 0, passwordUpdatedAt: '2025-06-01' },
    profileImage: `https://cdn.example-video.test/avatars/${p.accountId}.png`,
    churnRisk: ['low', 'medium', 'high'][p.index % 3],
    engagementScore: (p.index * 37) % 100,
    ...(p.resalePartner ? { resalePartner: p.resalePartner } : {}),
    // The company's own marketing flag (newsletters, offers): most people said yes at sign-up.
    marketingEmails: p.index % 5 !== 4,
  };
}

/** Call records of one person: alice has many over several months, the crowd a few each. */
export function callsOf(p: DemoPerson): Array<{ key: string; lines: Array<Record<string, unknown>> }> {
  const random = prng(1000 + p.index);
  const count = p.index === 0 ? 60 : 2 + (p.index % 3);
  const byMonth = new Map<string, Array<Record<string, unknown>>>();
  for (let i = 0; i < count; i++) {
    // Alice's calls span three months (three objects); everyone else's fit in one, which keeps the
    // first start quick with thousands of people.
    const month = p.index === 0 ? 6 + (i % 3) : 6 + (p.index % 3);
    const start = new Date(Date.UTC(2026, month, 1 + Math.floor(random() * 27), 8 + Math.floor(random() * 9), Math.floor(random() * 60)));
    const key = start.toISOString().slice(0, 7);
    const call = {
      id: `call_${p.accountId}_${String(i).padStart(4, '0')}`,
      startedAt: start.toISOString(),
      durationSeconds: 60 + Math.floor(random() * 3600),
      participants: 2 + Math.floor(random() * 8),
      meetingTitle: ['Weekly sync', 'Customer demo', '1:1', 'Planning', 'Interview'][i % 5],
      deviceType: ['desktop', 'ios', 'android'][i % 3],
      ipAddress: `203.0.113.${(p.index + i) % 250}`,
      recorded: i % 4 === 0,
    };
    byMonth.set(key, [...(byMonth.get(key) ?? []), call]);
  }
  return [...byMonth].map(([month, lines]) => ({ key: `users/${p.accountId}/calls-${month}.jsonl`, lines }));
}

/** The demo account store: keyed by account id, found by the normalised email on the `by-email` index. */
export function accountsTableDefinition() {
  return {
    TableName: DEMO_ACCOUNTS_TABLE,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [
      { AttributeName: 'accountId', AttributeType: 'S' as const },
      { AttributeName: 'email', AttributeType: 'S' as const },
    ],
    KeySchema: [{ AttributeName: 'accountId', KeyType: 'HASH' as const }],
    GlobalSecondaryIndexes: [
      { IndexName: 'by-email', KeySchema: [{ AttributeName: 'email', KeyType: 'HASH' as const }], Projection: { ProjectionType: 'ALL' as const } },
    ],
  };
}

/** Fills the demo company's own stores with everyone whose systems include them. */
export async function seedCompanyStores(db: DynamoDBClient, s3: S3Client, crowd: number): Promise<{ accounts: number; callObjects: number }> {
  await ensureTable(db, accountsTableDefinition());
  await ensureBucket(s3, DEMO_CALLS_BUCKET);
  const people = demoPeople(crowd);
  const doc = DynamoDBDocumentClient.from(db);
  const accounts = people.filter((p) => p.systems.has('accounts'));
  const batches: DemoPerson[][] = [];
  for (let i = 0; i < accounts.length; i += 25) batches.push(accounts.slice(i, i + 25));
  await pool(batches, 8, async (batch) => {
    let pending: Array<{ PutRequest: { Item: Record<string, unknown> } }> | undefined = batch.map((p) => ({ PutRequest: { Item: accountItem(p) } }));
    while (pending?.length) {
      const out = await doc.send(new BatchWriteCommand({ RequestItems: { [DEMO_ACCOUNTS_TABLE]: pending } }));
      pending = out.UnprocessedItems?.[DEMO_ACCOUNTS_TABLE] as typeof pending;
    }
  });
  const objects = people.filter((p) => p.systems.has('calls')).flatMap(callsOf);
  await pool(objects, 16, async ({ key, lines }) => {
    await s3.send(
      new PutObjectCommand({
        Bucket: DEMO_CALLS_BUCKET,
        Key: key,
        Body: lines.map((l) => JSON.stringify(l)).join('\n') + '\n',
        ContentType: 'application/x-ndjson',
      }),
    );
  });
  return { accounts: accounts.length, callObjects: objects.length };
}

/**
 * `seedCompanyStores` in a child process that exits when done (seed-child.ts), so the seeding's garbage
 * (the generated people, items and objects, the SDK's buffers) does not stay in the runtime's resident
 * memory: V8 seldom gives a grown heap back. The child inherits the environment that points the SDK at
 * the emulators. In its own process group, so a Ctrl-C during the first start reaches only the runtime,
 * which lets seeding finish as it always did; it stops if the runtime dies (its stdin ends).
 */
export async function seedCompanyStoresInChild(crowd: number): Promise<{ accounts: number; callObjects: number }> {
  const child = spawn(process.execPath, typescriptChildArgs('./seed-child.ts'), {
    env: { ...process.env, NODE_OPTIONS: '', DSAR_SEED_CROWD: String(crowd) },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  child.stdin!.destroy();
  if (code !== 0) throw new Error(`seeding the demo stores failed (exit ${code ?? signal}): ${stderr.trim()}`);
  return JSON.parse(stdout) as { accounts: number; callObjects: number };
}
