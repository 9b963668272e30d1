/**
 * The subject-retention sweep against a real DynamoDB emulator: closed requests past the records policy
 * have their subject's email and name replaced by a salted hash, and nothing else changes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { startDynamoDb, type Emulator } from '../../../../infra/local/emulators.ts';
import { assertIndexes, requestTableDefinition } from '../../../../infra/local/seed.ts';
import { purgeAfter, sweepSubjectRetention } from '#domain/retention/subjects';
import { DynamoRectificationStore } from '#domain/rectification/store';
import { parseConfig } from '#commons/config';
import { readFileSync } from 'node:fs';

const TABLE = 'retention-test';
const dir = mkdtempSync(join(tmpdir(), 'retention-'));
let emulator: Emulator;
let raw: DynamoDBClient;
let db: DynamoDBDocumentClient;

const NOW = new Date('2029-01-15T12:00:00Z');

function record(id: string, extra: Record<string, unknown>) {
  return {
    pk: `REQ#${id}`,
    sk: 'META',
    requestId: id,
    type: 'access',
    status: 'completed',
    subject: { email: `${id}@Example.com`, normalizedEmail: `${id}@example.com`, name: `Person ${id}`, details: `Only the ${id} account, please` },
    subjectHash: `hash-of-${id}`,
    receivedAt: '2026-01-01T10:00:00.000Z',
    receivedDate: '2026-01-01',
    dueDate: '2026-02-02',
    decision: { outcome: 'approved', by: 'approver@localhost', at: '2026-01-02T10:00:00.000Z' },
    connectors: { accounts: { connectorId: 'accounts', status: 'succeeded', records: 1 } },
    ...extra,
  };
}

beforeAll(async () => {
  emulator = await startDynamoDb('127.0.0.1', 0, dir);
  raw = new DynamoDBClient({ endpoint: emulator.url, region: 'eu-north-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  db = DynamoDBDocumentClient.from(raw);
  await raw.send(new CreateTableCommand(requestTableDefinition(TABLE)));

  const items = [
    record('expired', {
      type: 'erasure',
      closedAt: '2026-12-01T00:00:00.000Z',
      purgePk: 'PURGE',
      purgeAfter: '2028-12-01T00:00:00.000Z',
      identifiers: { accounts: { accountId: ['acc-7f3e21'], gaUserId: ['GA1.2.99887766', 'GA1.2.11223344'] } },
      agent: {
        name: 'Dana Agent',
        email: 'Dana@Agents.example.org',
        organisation: 'Privacy Helpers',
        relationship: 'authorised_agent',
        locale: 'nb',
        permission: { key: 'requests/expired/agent-permission.pdf', contentType: 'application/pdf', bytes: 1234, sha256: 'c'.repeat(64) },
      },
    }),
    record('later', { closedAt: '2027-06-01T00:00:00.000Z', purgePk: 'PURGE', purgeAfter: '2029-06-01T00:00:00.000Z' }),
    record('open', { status: 'in_progress', openPk: 'OPEN', openSk: '2026-02-02#open' }),
  ];
  for (const Item of items) await db.send(new PutCommand({ TableName: TABLE, Item }));
  // What each subject wrote to us, and an event of staff's, on the audit trails.
  const event = (id: string, n: number, action: string, detail: Record<string, unknown>) => ({
    pk: `REQ#${id}`, sk: `EVT#2026-01-0${n}T10:00:00.000Z#0000000${n}`, requestId: id, at: `2026-01-0${n}T10:00:00.000Z`, actor: action.startsWith('subject') ? 'subject' : 'staff', action, detail,
  });
  for (const Item of [
    event('expired', 1, 'deadline.paused', { reason: 'We need your customer number' }),
    event('expired', 2, 'subject.message', { message: 'My customer number is 4711, I live at Storgata 1', answering: 'We need your customer number' }),
    event('later', 3, 'subject.message', { message: 'Still here' }),
  ]) {
    await db.send(new PutCommand({ TableName: TABLE, Item }));
  }
});

const trail = async (id: string) =>
  (await db.send(new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :e)', ExpressionAttributeValues: { ':pk': `REQ#${id}`, ':e': 'EVT#' } }))).Items!;

afterAll(async () => {
  raw?.destroy();
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = async (id: string) => (await db.send(new GetCommand({ TableName: TABLE, Key: { pk: `REQ#${id}`, sk: 'META' } }))).Item!;

describe('a local table from an older version', () => {
  it('is refused with a message that says what to do', async () => {
    const old = requestTableDefinition('older-table');
    await raw.send(new CreateTableCommand({ ...old, GlobalSecondaryIndexes: old.GlobalSecondaryIndexes!.filter((i) => i.IndexName !== 'purge-by-date') }));
    await expect(assertIndexes(raw, old)).rejects.toThrow(/lacks the index\(es\) purge-by-date.*Delete the data folder/);
    await expect(assertIndexes(raw, requestTableDefinition(TABLE))).resolves.toBeUndefined();
  });
});

describe('the subject-retention sweep', () => {
  it('counts the retention period from closure, 24 months by default', () => {
    const config = parseConfig(JSON.parse(readFileSync(new URL('../../../../config/example.config.json', import.meta.url), 'utf8')));
    expect(purgeAfter(config, '2026-11-29T10:00:00.000Z')).toBe('2028-11-29T10:00:00.000Z');
  });

  it('hashes the expired subject fields and nothing else', async () => {
    const before = await get('expired');

    const result = await sweepSubjectRetention(db, TABLE, NOW);

    expect(result).toEqual({ purged: 1, read: 1, trails: 1 });
    const after = await get('expired');
    expect(after.subject.email).toMatch(/^[0-9a-f]{64}$/);
    expect(after.subject.normalizedEmail).toBe(after.subject.email);
    expect(after.subject.name).toBeUndefined();
    // What the subject wrote in the form goes with their identity.
    expect(after.subject.details).toBeUndefined();
    expect(JSON.stringify(after)).not.toMatch(/expired@example\.com|Person expired|the expired account/i);
    expect(after.subjectHash).not.toBe(before.subjectHash);
    expect(after.subjectPurgedAt).toBe(NOW.toISOString());
    // Everything that is evidence of the answer stays as it was.
    const { subject: _a, subjectHash: _b, purgePk: _c, purgeAfter: _d, identifiers: _e, agent: _f, ...rest } = before;
    for (const [k, v] of Object.entries(rest)) expect({ [k]: after[k] }).toEqual({ [k]: v });
  });

  it('hashes the identifiers an erasure resolved too, keeping only how many there were', async () => {
    const after = await get('expired');

    expect(JSON.stringify(after)).not.toMatch(/acc-7f3e21|GA1\.2\.99887766|GA1\.2\.11223344/);
    expect(Object.keys(after.identifiers.accounts).sort()).toEqual(['accountId', 'gaUserId']);
    expect(after.identifiers.accounts.accountId).toEqual([expect.stringMatching(/^[0-9a-f]{64}$/)]);
    expect(after.identifiers.accounts.gaUserId).toHaveLength(2);
  });

  it('removes the name and organisation of an agent who filed, hashes their address, and keeps how they acted and the permission’s digest', async () => {
    const after = await get('expired');

    expect(JSON.stringify(after)).not.toMatch(/Dana|Privacy Helpers|agents\.example\.org/i);
    expect(after.agent).toEqual({
      name: '',
      email: expect.stringMatching(/^[0-9a-f]{64}$/),
      relationship: 'authorised_agent',
      permission: { key: 'requests/expired/agent-permission.pdf', contentType: 'application/pdf', bytes: 1234, sha256: 'c'.repeat(64) },
    });
  });

  it('removes what the subject wrote to us with their identity, keeping the events and the rest of the trail', async () => {
    const events = await trail('expired');

    expect(events.map((e) => e.action)).toEqual(['deadline.paused', 'subject.message']);
    expect(JSON.stringify(events)).not.toContain('Storgata');
    expect(events[1]!.detail).toEqual({ answering: 'We need your customer number', messageRemovedAt: NOW.toISOString() });
    expect(events[0]!.detail).toEqual({ reason: 'We need your customer number' });
  });

  it('leaves requests that are not yet due, and open ones, untouched', async () => {
    expect((await trail('later'))[0]!.detail).toEqual({ message: 'Still here' });
    expect((await get('later')).subject.email).toBe('later@Example.com');
    expect((await get('open')).subject.name).toBe('Person open');
  });

  it('keeps a request in the purge index when its reply texts could not be removed, so the next run removes them', async () => {
    await db.send(new PutCommand({ TableName: TABLE, Item: record('flaky', { closedAt: '2026-11-01T00:00:00.000Z', purgePk: 'PURGE', purgeAfter: '2028-11-01T00:00:00.000Z' }) }));
    await db.send(new PutCommand({ TableName: TABLE, Item: { pk: 'REQ#flaky', sk: 'EVT#2026-10-01T10:00:00.000Z#0000000f', requestId: 'flaky', at: '2026-10-01T10:00:00.000Z', actor: 'subject', action: 'subject.message', detail: { message: 'Storgata 2' } } }));
    // DynamoDB throttles the text's removal once.
    const flaky = {
      send: (command: { input: { Key?: { sk?: string } } }) =>
        command instanceof UpdateCommand && String(command.input.Key?.sk).startsWith('EVT#') ? Promise.reject(new Error('ProvisionedThroughputExceededException')) : db.send(command as never),
    } as unknown as DynamoDBDocumentClient;

    await expect(sweepSubjectRetention(flaky, TABLE, NOW)).rejects.toThrow('ProvisionedThroughputExceededException');
    expect((await get('flaky')).purgePk).toBe('PURGE');

    expect(await sweepSubjectRetention(db, TABLE, NOW)).toEqual({ purged: 1, read: 1, trails: 1 });
    expect(JSON.stringify(await trail('flaky'))).not.toContain('Storgata');
    expect((await get('flaky')).subject.name).toBeUndefined();
  });

  it('reads only what is due through the sparse index, and a second run finds nothing', async () => {
    expect(await sweepSubjectRetention(db, TABLE, NOW)).toEqual({ purged: 0, read: 0, trails: 0 });
    const due = await db.send(new QueryCommand({ TableName: TABLE, IndexName: 'purge-by-date', KeyConditionExpression: 'purgePk = :p', ExpressionAttributeValues: { ':p': 'PURGE' } }));
    expect(due.Items!.map((i) => i.requestId)).toEqual(['later']);
  });
});

describe('the sweep without a query per purged request', () => {
  it('reads the audit trail only of requests the subject wrote to, and still removes what they wrote', async () => {
    const at = { closedAt: '2026-10-01T00:00:00.000Z', purgePk: 'PURGE', purgeAfter: '2028-10-01T00:00:00.000Z' };
    for (let i = 0; i < 6; i++) await db.send(new PutCommand({ TableName: TABLE, Item: record(`quiet${i}`, { ...at, subjectMessages: false }) }));
    await db.send(new PutCommand({ TableName: TABLE, Item: record('wrote', { ...at, subjectMessages: true }) }));
    await db.send(new PutCommand({ TableName: TABLE, Item: { pk: 'REQ#wrote', sk: 'EVT#2026-09-01T10:00:00.000Z#00000001', requestId: 'wrote', at: '2026-09-01T10:00:00.000Z', actor: 'subject', action: 'subject.message', detail: { message: 'Storgata 3' } } }));
    const queries: string[] = [];
    const counting = {
      send: (command: { input: { IndexName?: string; ExpressionAttributeValues?: Record<string, unknown> } }) => {
        if (command instanceof QueryCommand) queries.push(command.input.IndexName ?? String(command.input.ExpressionAttributeValues?.[':pk']));
        return db.send(command as never);
      },
    } as unknown as DynamoDBDocumentClient;

    expect(await sweepSubjectRetention(counting, TABLE, NOW)).toEqual({ purged: 7, read: 7, trails: 1 });

    expect(queries).toEqual(['purge-by-date', 'REQ#wrote']);
    expect(JSON.stringify(await trail('wrote'))).not.toContain('Storgata');
    expect((await get('quiet3')).subject.name).toBeUndefined();
  });
});

describe('the sweep of a rectification', () => {
  it('empties the current values, the corrections staff chose and a corrected address\'s alias with the identity, and the values asked for go with the subject', async () => {
    const at = { closedAt: '2026-10-01T00:00:00.000Z', purgePk: 'PURGE', purgeAfter: '2028-10-01T00:00:00.000Z', subjectMessages: false };
    await db.send(new PutCommand({ TableName: TABLE, Item: record('corrected', { ...at, type: 'rectification', subject: { email: 'bob@example.com', normalizedEmail: 'bob@example.com', rectification: { fields: { phone: '+47 912 34 567' } } } }) }));
    const store = new DynamoRectificationStore(db, TABLE);
    await store.putCurrent('corrected', 'stripe', [{ object: 'customers', recordId: 'cus_1', field: 'phone', systemField: 'phone', value: '+47 400 00 001' }], at.closedAt);
    await store.putChoice('corrected', { corrections: { stripe: [{ object: 'customers', recordId: 'cus_1', field: 'phone', value: '+47 912 34 567' }] }, refusals: [], by: 'approver@localhost', at: at.closedAt });

    await store.putAlias('corrected', 'hash-of-the-new-address', '2026-01-01T10:00:00.000Z');

    await sweepSubjectRetention(db, TABLE, NOW);

    expect(await store.current('corrected')).toEqual({});
    expect(await store.choice('corrected')).toBeUndefined();
    const aliased = await db.send(new QueryCommand({ TableName: TABLE, IndexName: 'by-subject', KeyConditionExpression: 'subjectHash = :h', ExpressionAttributeValues: { ':h': 'hash-of-the-new-address' } }));
    expect(aliased.Items).toEqual([]);
    const left = await db.send(new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :r)', ExpressionAttributeValues: { ':pk': 'REQ#corrected', ':r': 'RECTIFY#' } }));
    expect(JSON.stringify(left.Items)).not.toContain('+47');
    expect(JSON.stringify(await get('corrected'))).not.toContain('+47');
  });
});
