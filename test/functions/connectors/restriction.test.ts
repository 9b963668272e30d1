/**
 * The restrict capability (a restriction's act step, GDPR Art. 18): the account store's mark on a real
 * dynalite, and Salesforce's Individual `HasOptedOutProcessing` on its sandbox, with and without Data
 * Protection and Privacy. Each sets, reads back, lifts, and is safe to run again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDbConnectorConfig } from '#commons/config';
import { DynamoDbTableConnector } from '#connectors/dynamodb-table';
import { dynamoDbRestriction } from '#connectors/dynamodb-restriction';
import { createSaasConnector } from '#connectors/saas';
import { startDynamoDb, type Emulator } from '../../../infra/local/emulators.ts';
import { ensureTable } from '../../../infra/local/seed.ts';
import { startSandboxes, type Sandboxes } from '../../../infra/local/sandboxes/index.ts';
import { countRequests, ctx, depsFor, saasConfig, subjectOf } from './support.ts';

describe('the account store’s restriction mark (dynalite)', () => {
  const TABLE = 'restriction-accounts';
  let dir: string;
  let emulator: Emulator;
  let raw: DynamoDBClient;
  let db: DynamoDBDocumentClient;
  const config: DynamoDbConnectorConfig = {
    id: 'accounts',
    kind: 'dynamodb',
    displayName: 'Accounts',
    enabled: true,
    tableName: TABLE,
    objectName: 'account',
    lookup: { indexName: 'by-email', partitionKey: 'email' },
    keyAttributes: ['accountId'],
    erasure: { action: 'delete' },
    objects: {},
    restriction: { attribute: 'processingRestricted', restrictedValue: true, restrictedAtAttribute: 'processingRestrictedAt' },
  };
  const item = async (accountId: string) => (await db.send(new GetCommand({ TableName: TABLE, Key: { accountId } }))).Item;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dsar-restrict-'));
    emulator = await startDynamoDb('127.0.0.1', 0, dir);
    raw = new DynamoDBClient({ endpoint: emulator.url, region: 'eu-north-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    await ensureTable(raw, {
      TableName: TABLE,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'accountId', AttributeType: 'S' },
        { AttributeName: 'email', AttributeType: 'S' },
      ],
      KeySchema: [{ AttributeName: 'accountId', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [{ IndexName: 'by-email', KeySchema: [{ AttributeName: 'email', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
    });
    await waitUntilTableExists({ client: raw, maxWaitTime: 20, minDelay: 0.05, maxDelay: 0.2 }, { TableName: TABLE });
    db = DynamoDBDocumentClient.from(raw);
  });
  afterAll(async () => {
    raw.destroy();
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    for (const [accountId, email] of [['acc-alice-1', 'alice@example.com'], ['acc-alice-2', 'alice@example.com'], ['acc-bob', 'bob@example.com']]) {
      await db.send(new PutCommand({ TableName: TABLE, Item: { accountId, email, plan: 'free' } }));
    }
  });

  it('marks each of alice’s items restricted with the time, reads it back, and leaves bob alone', async () => {
    const accounts = new DynamoDbTableConnector(config, db);
    expect(await accounts.restrict!.status(subjectOf('alice@example.com'), ctx)).toEqual([{ object: 'account', restricted: 0, unrestricted: 2 }]);

    expect(await accounts.restrict!.set(subjectOf('Alice@Example.com'), ctx)).toEqual([{ object: 'account', records: 2 }]);

    expect(await item('acc-alice-1')).toMatchObject({ processingRestricted: true, processingRestrictedAt: expect.any(String), plan: 'free' });
    expect(await item('acc-alice-2')).toMatchObject({ processingRestricted: true });
    expect(await item('acc-bob')).toEqual({ accountId: 'acc-bob', email: 'bob@example.com', plan: 'free' });
    expect(await accounts.restrict!.status(subjectOf('alice@example.com'), ctx)).toEqual([{ object: 'account', restricted: 2, unrestricted: 0 }]);
  });

  it('keeps the first time when set again, and lifting removes the mark and its time', async () => {
    const accounts = new DynamoDbTableConnector(config, db);
    await accounts.restrict!.set(subjectOf('alice@example.com'), ctx);
    const first = (await item('acc-alice-1'))!.processingRestrictedAt;
    await accounts.restrict!.set(subjectOf('alice@example.com'), ctx);
    expect((await item('acc-alice-1'))!.processingRestrictedAt).toBe(first);

    expect(await accounts.restrict!.lift(subjectOf('alice@example.com'), ctx)).toEqual([{ object: 'account', records: 2 }]);

    expect(await item('acc-alice-1')).toEqual({ accountId: 'acc-alice-1', email: 'alice@example.com', plan: 'free' });
    expect(await accounts.restrict!.status(subjectOf('alice@example.com'), ctx)).toEqual([{ object: 'account', restricted: 0, unrestricted: 2 }]);
  });

  it('does not recreate an item erased between the lookup and the write', async () => {
    // The lookup still sees the item; the erasure deletes it before the mark is written.
    const restrict = dynamoDbRestriction(config, config.restriction!, db, async function* () {
      yield { accountId: 'acc-gone', email: 'gone@example.com' };
    });

    expect(await restrict.set(subjectOf('gone@example.com'), ctx)).toEqual([{ object: 'account', records: 0 }]);
    expect(await item('acc-gone')).toBeUndefined();
    await db.send(new DeleteCommand({ TableName: TABLE, Key: { accountId: 'acc-gone' } }));
  });

  it('finds nothing to restrict for someone it does not hold, and a table without a mark has no capability', async () => {
    const accounts = new DynamoDbTableConnector(config, db);
    expect(await accounts.restrict!.set(subjectOf('carol@example.com'), ctx)).toEqual([]);
    expect(await accounts.restrict!.status(subjectOf('carol@example.com'), ctx)).toEqual([]);
    const { restriction: _mark, ...unmarked } = config;
    expect(new DynamoDbTableConnector(unmarked, db).restrict).toBeUndefined();
  });
});

describe('Salesforce restriction (Individual HasOptedOutProcessing)', () => {
  let sb: Sandboxes;
  beforeAll(async () => {
    sb = await startSandboxes({ crowd: 20 });
  });
  afterAll(() => sb.close());
  const salesforce = () => createSaasConnector(saasConfig('salesforce', sb.urls.salesforce, {}), depsFor(sb));
  const aliceIndividuals = () => {
    const contacts = [...sb.stores.salesforce.objects.get('Contact')!.values()] as Array<Record<string, unknown>>;
    const ids = new Set(contacts.filter((c) => String(c.Email).toLowerCase() === 'alice@example.com').map((c) => c.IndividualId));
    return ([...sb.stores.salesforce.objects.get('Individual')!.values()] as Array<Record<string, unknown>>).filter((i) => ids.has(i.Id));
  };

  it('sets HasOptedOutProcessing on alice’s Individual, reads it back, and lifts it', async () => {
    const sf = salesforce();
    expect(await sf.restrict!.status(subjectOf('alice@example.com'), ctx)).toEqual([{ object: 'Individual', restricted: 0, unrestricted: 1 }]);

    expect(await sf.restrict!.set(subjectOf('alice@example.com'), ctx)).toEqual([{ object: 'Individual', records: 1 }]);
    expect(aliceIndividuals().map((i) => i.HasOptedOutProcessing)).toEqual([true]);
    expect(await sf.restrict!.status(subjectOf('alice@example.com'), ctx)).toEqual([{ object: 'Individual', restricted: 1, unrestricted: 0 }]);

    expect(await sf.restrict!.lift(subjectOf('alice@example.com'), ctx)).toEqual([{ object: 'Individual', records: 1 }]);
    expect(aliceIndividuals().map((i) => i.HasOptedOutProcessing)).toEqual([false]);
  });

  it('writes nothing when set twice', async () => {
    const sf = salesforce();
    await sf.restrict!.set(subjectOf('alice@example.com'), ctx);

    const { count } = await countRequests('/sobjects/Individual', () => sf.restrict!.set(subjectOf('alice@example.com'), ctx));

    expect(count).toBe(0);
    await sf.restrict!.lift(subjectOf('alice@example.com'), ctx);
  });

  it('in an org without Data Protection and Privacy, counts alice’s Contact as one staff must restrict by hand', async () => {
    const plain = await startSandboxes({ crowd: 5, salesforce: { dataProtection: false } });
    try {
      const sf = createSaasConnector(saasConfig('salesforce', plain.urls.salesforce, {}), depsFor(plain));

      expect(await sf.restrict!.set(subjectOf('alice@example.com'), ctx)).toEqual([]);
      expect(await sf.restrict!.status(subjectOf('alice@example.com'), ctx)).toEqual([{ object: 'Contact', restricted: 0, unrestricted: 0, unmarkable: 1 }]);
    } finally {
      await plain.close();
    }
  });
});
