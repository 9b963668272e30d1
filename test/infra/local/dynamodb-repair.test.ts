/**
 * dynalite writes an item's index entries and the item as separate LevelDB writes; a kill in between
 * leaves the index out of step with the item. The repair that runs before dynalite opens its folder puts
 * them back in step.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { repairIndexes } from '../../../infra/local/dynamodb-repair.ts';
import { startDynamoDb, type Emulator } from '../../../infra/local/emulators.ts';

const require = createRequire(import.meta.url);
const dynaliteDb = createRequire(require.resolve('dynalite'))('./db');

const TABLE = 'requests';
let dir: string;
let emulator: Emulator | undefined;
let client: DynamoDBClient | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dynalite-repair-'));
});
afterEach(async () => {
  client?.destroy();
  await emulator?.close();
  emulator = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function serve() {
  emulator = await startDynamoDb('127.0.0.1', 0, dir);
  client = new DynamoDBClient({ endpoint: emulator.url, region: 'eu-north-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  return client;
}

async function stop() {
  client?.destroy();
  client = undefined;
  await emulator?.close();
  emulator = undefined;
}

const byStatus = async (db: DynamoDBClient, status: string) =>
  ((await db.send(new QueryCommand({ TableName: TABLE, IndexName: 'byStatus', KeyConditionExpression: '#s = :s', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':s': { S: status } } }))).Items ?? []).map((i) => i.id!.S);

async function tableWithOneRequest() {
  const db = await serve();
  await db.send(
    new CreateTableCommand({
      TableName: TABLE,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'id', AttributeType: 'S' },
        { AttributeName: 'status', AttributeType: 'S' },
      ],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [{ IndexName: 'byStatus', KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }, { AttributeName: 'id', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } }],
    }),
  );
  // dynalite makes a table ACTIVE on a timer: on a busy machine a write right after CreateTable finds none.
  await waitUntilTableExists({ client: db, maxWaitTime: 20, minDelay: 0.05, maxDelay: 0.2 }, { TableName: TABLE });
  await db.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: 'r1' }, status: { S: 'awaiting_review' } } }));
  await stop();
}

/** What dynalite has written when a kill stops an update of r1 to `status` before the item itself: its index changes. */
async function killMidUpdate(status: string) {
  const store = dynaliteDb.create({ path: dir });
  const table = await promisify(store.getTable)(TABLE);
  const existing = await promisify(store.getItemDb(TABLE).get)(dynaliteDb.createKey({ id: { S: 'r1' } }, table));
  await promisify(dynaliteDb.updateIndexes)(store, table, existing, { ...existing, status: { S: status } });
  await store.db.close();
}

describe('repairIndexes', () => {
  it('changes nothing where indexes and items agree', async () => {
    await tableWithOneRequest();

    expect(await repairIndexes(dir)).toEqual({ removed: 0, written: 0 });
  });

  it('puts an item killed mid-update back under the index entry of the version that was stored', async () => {
    await tableWithOneRequest();
    await killMidUpdate('in_progress');

    expect(await repairIndexes(dir)).toEqual({ removed: 1, written: 1 });

    const db = await serve();
    expect((await db.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: 'r1' } } }))).Item?.status?.S).toBe('awaiting_review');
    expect(await byStatus(db, 'awaiting_review')).toEqual(['r1']);
    expect(await byStatus(db, 'in_progress')).toEqual([]);
  });

  it('runs before the emulator serves, so a start after the kill finds the index in step', async () => {
    await tableWithOneRequest();
    await killMidUpdate('completed');

    const db = await serve();

    expect(await byStatus(db, 'completed')).toEqual([]);
    expect(await byStatus(db, 'awaiting_review')).toEqual(['r1']);
  });
});
