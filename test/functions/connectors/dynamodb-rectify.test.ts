/**
 * The account store's rectify capability on a real dynalite with the demo table and its `by-email`
 * index, configured as the example configuration configures it: current values, corrections read back,
 * nothing recreated, nobody else's item touched.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { parseConfig, type DynamoDbConnectorConfig } from '#commons/config';
import { DynamoDbTableConnector } from '#connectors/dynamodb-table';
import { ConnectorMisconfigured } from '#connectors/errors';
import { RECTIFIABLE_FIELDS, type Correction } from '#connectors/types';
import { ALICE, demoPeople } from '../../../infra/local/demo/people.ts';
import { startDynamoDb, type Emulator } from '../../../infra/local/emulators.ts';
import { accountItem, accountsTableDefinition, DEMO_ACCOUNTS_TABLE, ensureTable } from '../../../infra/local/seed.ts';
import { exampleConfig, exampleConfigJson } from '../../support/in-memory-context.ts';
import { ctx, subjectOf } from './support.ts';

let emulator: Emulator;
let raw: DynamoDBClient;
let db: DynamoDBDocumentClient;
let dir: string;
const config = exampleConfig().connectors.find((c) => c.id === 'accounts') as DynamoDbConnectorConfig;
const crowd = demoPeople(3).filter((p) => p.systems.has('accounts') && p.email !== ALICE.email);
const other = crowd[0]!;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dsar-rectify-ddb-'));
  emulator = await startDynamoDb('127.0.0.1', 0, dir);
  raw = new DynamoDBClient({ endpoint: emulator.url, region: 'eu-north-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  await ensureTable(raw, accountsTableDefinition());
  // dynalite makes a table ACTIVE on the next tick, not within CreateTable.
  await waitUntilTableExists({ client: raw, maxWaitTime: 20, minDelay: 0.05, maxDelay: 0.2 }, { TableName: DEMO_ACCOUNTS_TABLE });
  db = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
});
afterAll(async () => {
  raw?.destroy();
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  for (const p of [ALICE, other]) await db.send(new PutCommand({ TableName: DEMO_ACCOUNTS_TABLE, Item: accountItem(p) }));
});

const accounts = () => new DynamoDbTableConnector(config, db);
const alice = subjectOf('alice@example.com');
const stored = async (accountId: string) => (await db.send(new GetCommand({ TableName: DEMO_ACCOUNTS_TABLE, Key: { accountId } }))).Item!;
const correct = (field: Correction['field'], value: Correction['value'], recordId = ALICE.accountId): Correction => ({ object: 'account', recordId, field, value });

describe('DynamoDbTableConnector.rectify', () => {
  it('shows alice’s current name, email, phone and address, each with the attribute it lives in', async () => {
    const values = await accounts().rectify!.current(alice, RECTIFIABLE_FIELDS, ctx);

    expect(values).toEqual([
      { object: 'account', recordId: ALICE.accountId, field: 'name', systemField: 'name', value: 'Alice Andersen' },
      { object: 'account', recordId: ALICE.accountId, field: 'email', systemField: 'email', value: 'alice@example.com' },
      { object: 'account', recordId: ALICE.accountId, field: 'phone', systemField: 'phone', value: ALICE.phone },
      { object: 'account', recordId: ALICE.accountId, field: 'address', systemField: 'street, postalCode, city, country', value: { country: ALICE.country } },
    ]);
  });

  it('gives only the fields asked for, and nothing for someone it does not hold', async () => {
    expect((await accounts().rectify!.current(alice, ['phone'], ctx)).map((v) => v.field)).toEqual(['phone']);
    expect(await accounts().rectify!.current(subjectOf('carol@example.com'), RECTIFIABLE_FIELDS, ctx)).toEqual([]);
  });

  it('corrects name, phone and address, and the read-back shows the new values; the other items are untouched', async () => {
    const address = { line1: 'Storgata 5', postalCode: '0155', city: 'Oslo', country: 'NO' };
    const before = await stored(other.accountId);

    const result = await accounts().rectify!.apply(alice, [correct('name', 'Alice Andersen-Berg'), correct('phone', '+47 40000001'), correct('address', address)], ctx);

    expect(result.map((r) => r.status)).toEqual(['corrected', 'corrected', 'corrected']);
    const after = await accounts().rectify!.current(alice, ['name', 'phone', 'address'], ctx);
    expect(after.map((v) => v.value)).toEqual(['Alice Andersen-Berg', '+47 40000001', address]);
    expect(await stored(other.accountId)).toEqual(before);
    expect((await stored(ALICE.accountId)).plan).toBe(accountItem(ALICE).plan);
  });

  it('replaces an address whole: a part the correction leaves out is removed, not kept from the old one', async () => {
    const connector = accounts();
    await connector.rectify!.apply(alice, [correct('address', { line1: 'Storgata 5', line2: 'c/o Berg', city: 'Oslo', country: 'NO' })], ctx);
    await connector.rectify!.apply(alice, [correct('address', { line1: 'Kongens gate 1', city: 'Trondheim', country: 'NO' })], ctx);

    const item = await stored(ALICE.accountId);
    expect([item.street, item.city, item.country, 'line2' in item, 'postalCode' in item]).toEqual(['Kongens gate 1', 'Trondheim', 'NO', false, false]);
  });

  it('is idempotent: applying the same correction twice leaves the same item and says corrected both times', async () => {
    const connector = accounts();
    const once = await connector.rectify!.apply(alice, [correct('phone', '+47 40000002')], ctx);
    const first = await stored(ALICE.accountId);
    const twice = await connector.rectify!.apply(alice, [correct('phone', '+47 40000002')], ctx);

    expect(twice).toEqual(once);
    expect(await stored(ALICE.accountId)).toEqual(first);
  });

  it('writes a corrected email normalised, since it is the lookup key: the item is then found by the new address', async () => {
    const connector = accounts();
    const result = await connector.rectify!.apply(alice, [correct('email', ' Alice.Andersen@Example.com ')], ctx);

    expect(result[0]!.status).toBe('corrected');
    expect((await stored(ALICE.accountId)).email).toBe('alice.andersen@example.com');
    expect(await connector.rectify!.current(alice, ['email'], ctx)).toEqual([]);
    expect((await connector.rectify!.current(subjectOf('alice.andersen@example.com'), ['email'], ctx))[0]!.recordId).toBe(ALICE.accountId);
  });

  it('applies a batch with an email correction again after a crash: the item is found at the new address, nothing is called not found', async () => {
    const connector = accounts();
    const batch = [correct('email', 'alice.new@example.com'), correct('phone', '+47 40000006')];
    // The first run wrote the email and stopped before the phone.
    await connector.rectify!.apply(alice, [batch[0]!], ctx);

    const again = await connector.rectify!.apply(alice, batch, ctx);

    expect(again.map((r) => r.status)).toEqual(['corrected', 'corrected']);
    expect([(await stored(ALICE.accountId)).email, (await stored(ALICE.accountId)).phone]).toEqual(['alice.new@example.com', '+47 40000006']);
  });

  it('reports not_found for an item erased meanwhile, and does not recreate it', async () => {
    const connector = accounts();
    const real = db.send.bind(db);
    // The item goes between the lookup and the update, as an erasure running at the same time would do it.
    let erased = false;
    const racing = Object.assign(Object.create(db) as DynamoDBDocumentClient, {
      send: async (command: Parameters<typeof db.send>[0], options?: Parameters<typeof db.send>[1]) => {
        if (!erased && command.constructor.name === 'UpdateCommand') {
          erased = true;
          await real(new DeleteCommand({ TableName: DEMO_ACCOUNTS_TABLE, Key: { accountId: ALICE.accountId } }));
        }
        return real(command as never, options as never);
      },
    });

    const result = await new DynamoDbTableConnector(config, racing).rectify!.apply(alice, [correct('phone', '+47 40000003')], ctx);

    expect(result).toEqual([{ object: 'account', recordId: ALICE.accountId, field: 'phone', status: 'not_found' }]);
    expect((await db.send(new GetCommand({ TableName: DEMO_ACCOUNTS_TABLE, Key: { accountId: ALICE.accountId } }))).Item).toBeUndefined();
    expect(await connector.rectify!.current(alice, ['phone'], ctx)).toEqual([]);
  });

  it('never writes to an item that is not the subject’s: another person’s record id is not_found', async () => {
    const before = await stored(other.accountId);

    const result = await accounts().rectify!.apply(alice, [correct('phone', '+47 40000004', other.accountId)], ctx);

    expect(result[0]!.status).toBe('not_found');
    expect(await stored(other.accountId)).toEqual(before);
  });

  it('refuses a batch with a value of the wrong shape before writing any of it', async () => {
    const before = await stored(ALICE.accountId);

    await expect(accounts().rectify!.apply(alice, [correct('phone', '+47 40000005'), correct('name', '  ')], ctx)).rejects.toBeInstanceOf(ConnectorMisconfigured);
    await expect(accounts().rectify!.apply(alice, [correct('address', {})], ctx)).rejects.toThrow(/address part/);

    expect(await stored(ALICE.accountId)).toEqual(before);
  });

  it('handles every rectifiable field the configuration names, and has no rectify without a rectify map', async () => {
    const { rectify: _rectify, ...withoutRectify } = config;
    expect(new DynamoDbTableConnector(withoutRectify, db).rectify).toBeUndefined();

    const onlyPhone = new DynamoDbTableConnector({ ...config, rectify: { phone: 'phone' } }, db);
    expect((await onlyPhone.rectify!.current(alice, RECTIFIABLE_FIELDS, ctx)).map((v) => v.field)).toEqual(['phone']);
    await expect(onlyPhone.rectify!.apply(alice, [correct('name', 'Alice B')], ctx)).rejects.toThrow(/does not hold/);
  });

  it('reads an address kept in one attribute as a map of parts, and writes it so', async () => {
    const single = new DynamoDbTableConnector({ ...config, rectify: { address: 'postalAddress' } }, db);
    await db.send(new PutCommand({ TableName: DEMO_ACCOUNTS_TABLE, Item: { ...accountItem(ALICE), postalAddress: 'Old street 1' } }));
    expect((await single.rectify!.current(alice, ['address'], ctx))[0]!.value).toEqual({ line1: 'Old street 1' });

    await single.rectify!.apply(alice, [correct('address', { line1: 'Storgata 5', city: 'Oslo', region: '' })], ctx);

    expect((await stored(ALICE.accountId)).postalAddress).toEqual({ line1: 'Storgata 5', city: 'Oslo' });
  });
});

describe('the rectify configuration of a DynamoDB table', () => {
  const withAccounts = (change: (accounts: Record<string, unknown>) => Record<string, unknown>) => {
    const json = exampleConfigJson() as { connectors: Array<Record<string, unknown>> };
    json.connectors = json.connectors.map((c) => (c.id === 'accounts' ? change(c) : c));
    return json;
  };

  it('refuses a field kept in the table’s key: DynamoDB cannot change a key in place', () => {
    expect(() => parseConfig(withAccounts((c) => ({ ...c, rectify: { email: 'accountId' } })))).toThrow(/rectify: names a key attribute of the table/);
  });

  it('refuses the email when it is the lookup key of a table without an index (then it is the table’s own key)', () => {
    expect(() => parseConfig(withAccounts((c) => ({ ...c, lookup: { partitionKey: 'email' }, rectify: { email: 'email' } })))).toThrow(/key attribute/);
  });

  it('refuses an address map that names no part', () => {
    expect(() => parseConfig(withAccounts((c) => ({ ...c, rectify: { address: {} } })))).toThrow(/at least one part of the address/);
  });
});
