import { afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, QueryCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ErasurePolicy } from '#commons/config';
import { DynamoDbTableConnector } from '#connectors/dynamodb-table';
import { mapAwsError } from '#connectors/aws-errors';
import { ConnectorAuthFailed, ConnectorIncompleteAnswer, ConnectorMisconfigured, ConnectorThrottled, ConnectorUnavailable } from '#connectors/errors';
import { ACCOUNTS_CONFIG } from './support.ts';

const ddb = mockClient(DynamoDBDocumentClient);
afterEach(() => ddb.reset());

const config = ACCOUNTS_CONFIG;
const connector = new DynamoDbTableConnector(config, DynamoDBDocumentClient.from(new DynamoDBClient({})));
const subject = { email: ' Alice@Example.com', normalizedEmail: 'alice@example.com' };
const ctx = { requestId: 'dsar_test' };
const alice = [
  { accountId: 'acc-1', email: 'alice@example.com', name: 'Alice', phone: '+47 1234' },
  { accountId: 'acc-2', email: 'alice@example.com', name: 'Alice A', phone: '+47 5678' },
];

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const policy = (p: ErasurePolicy) => () => p;

describe('DynamoDbTableConnector.access', () => {
  it('queries the index with the normalised email over every page, and never scans', async () => {
    ddb.on(QueryCommand).resolvesOnce({ Items: [alice[0]!], LastEvaluatedKey: { accountId: 'acc-1' } }).resolvesOnce({ Items: [alice[1]!] });

    const records = await all(connector.access(subject, ctx));

    expect(records).toEqual([
      { object: 'account', id: 'acc-1', data: alice[0] },
      { object: 'account', id: 'acc-2', data: alice[1] },
    ]);
    const queries = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(queries[0]).toMatchObject({
      TableName: 'demo-accounts',
      IndexName: 'by-email',
      KeyConditionExpression: '#k = :v',
      ExpressionAttributeNames: { '#k': 'email' },
      ExpressionAttributeValues: { ':v': 'alice@example.com' },
    });
    expect(queries[1]!.ExclusiveStartKey).toEqual({ accountId: 'acc-1' });
    expect(ddb.commandCalls(ScanCommand)).toHaveLength(0);
  });

  it('turns throttling into ConnectorThrottled', async () => {
    const err = Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' });
    ddb.on(QueryCommand).rejects(err);

    await expect(all(connector.access(subject, ctx))).rejects.toBeInstanceOf(ConnectorThrottled);
  });

  it('turns access denied into ConnectorAuthFailed', async () => {
    ddb.on(QueryCommand).rejects(Object.assign(new Error('no'), { name: 'AccessDeniedException' }));

    await expect(all(connector.access(subject, ctx))).rejects.toBeInstanceOf(ConnectorAuthFailed);
  });
});

describe('DynamoDbTableConnector.erase', () => {
  it('deletes each of the subject’s items by its table key', async () => {
    ddb.on(QueryCommand).resolves({ Items: alice });
    ddb.on(DeleteCommand).resolves({});

    const out = await connector.erase(subject, policy({ action: 'delete' }), ctx);

    expect(out).toEqual({ connectorId: 'accounts', items: [{ object: 'account', action: 'deleted', count: 2 }] });
    expect(ddb.commandCalls(DeleteCommand).map((c) => c.args[0].input.Key)).toEqual([{ accountId: 'acc-1' }, { accountId: 'acc-2' }]);
  });

  it('anonymizes the configured fields: null removes, redact and hash replace', async () => {
    ddb.on(QueryCommand).resolves({ Items: [alice[0]!] });
    ddb.on(UpdateCommand).resolves({});

    const out = await connector.erase(subject, policy({ action: 'anonymize', fields: { name: 'redact', email: 'hash', phone: 'null' } }), ctx);

    expect(out.items[0]).toEqual({ object: 'account', action: 'anonymized', count: 1 });
    const input = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(input.Key).toEqual({ accountId: 'acc-1' });
    expect(input.UpdateExpression).toBe('SET #a0 = :a0, #a1 = :a1 REMOVE #a2');
    expect(input.ExpressionAttributeNames).toEqual({ '#a0': 'name', '#a1': 'email', '#a2': 'phone' });
    expect(input.ExpressionAttributeValues![':a0']).toBe('[redacted]');
    expect(input.ExpressionAttributeValues![':a1']).toMatch(/^[0-9a-f]{64}$/);
    expect(ddb.commandCalls(DeleteCommand)).toHaveLength(0);
  });

  it('retains with the legal basis and changes nothing', async () => {
    ddb.on(QueryCommand).resolves({ Items: alice });

    const out = await connector.erase(subject, policy({ action: 'retain', legalBasis: 'Bookkeeping Act §13', retentionPeriod: '5 years' }), ctx);

    expect(out.items).toEqual([{ object: 'account', action: 'retained', count: 2, legalBasis: 'Bookkeeping Act §13', retentionPeriod: '5 years' }]);
    expect(ddb.commandCalls(DeleteCommand)).toHaveLength(0);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('reports not_found, not an error, when the subject is not in the table', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });

    const out = await connector.erase(subject, policy({ action: 'delete' }), ctx);

    expect(out.items).toEqual([{ object: 'account', action: 'not_found', count: 0 }]);
  });

  it('turns a throttled delete into ConnectorThrottled', async () => {
    ddb.on(QueryCommand).resolves({ Items: alice });
    ddb.on(DeleteCommand).rejects(Object.assign(new Error('x'), { name: 'ThrottlingException' }));

    await expect(connector.erase(subject, policy({ action: 'delete' }), ctx)).rejects.toMatchObject({ name: 'ConnectorThrottled', transient: true });
  });
});

// mapAwsError is the internal-store connectors' error mapping (aws-errors.ts).
const aws = (name: string) => Object.assign(new Error(`${name} happened`), { name });

describe('mapAwsError (aws-errors.ts)', () => {
  it.each([
    ['ThrottlingException', ConnectorThrottled],
    ['ProvisionedThroughputExceededException', ConnectorThrottled],
    ['SlowDown', ConnectorThrottled],
    ['ResourceNotFoundException', ConnectorMisconfigured],
    ['NoSuchBucket', ConnectorMisconfigured],
    ['AccessDenied', ConnectorAuthFailed],
    ['ExpiredToken', ConnectorAuthFailed],
    ['InternalServerError', ConnectorUnavailable],
    ['TimeoutError', ConnectorUnavailable],
  ])('maps %s to %o', (name, type) => {
    const err = mapAwsError('accounts', aws(name));

    expect(err).toBeInstanceOf(type);
    expect(err.connectorId).toBe('accounts');
    expect(err.message).toBe(`accounts: ${name}: ${name} happened`);
  });

  it('keeps an error that is already typed', () => {
    const typed = new ConnectorAuthFailed('stripe', '401');

    expect(mapAwsError('accounts', typed)).toBe(typed);
  });

  it('marks throttled and unavailable as transient, auth and misconfiguration as not', () => {
    expect(mapAwsError('a', aws('SlowDown')).transient).toBe(true);
    expect(mapAwsError('a', aws('Boom')).transient).toBe(true);
    expect(mapAwsError('a', aws('AccessDenied')).transient).toBe(false);
    expect(mapAwsError('a', aws('ValidationException')).transient).toBe(false);
  });
});

describe('DynamoDbTableConnector with a partial answer', () => {
  it('fails a query page that holds fewer items than its Count, and erases nothing', async () => {
    ddb.on(QueryCommand).resolves({ Items: [alice[0]!], Count: 2 });

    await expect(all(connector.access(subject, ctx))).rejects.toThrow(new ConnectorIncompleteAnswer('accounts', 'Query ended after 1 of 2 records'));
    await expect(connector.erase(subject, policy({ action: 'delete' }), ctx)).rejects.toBeInstanceOf(ConnectorIncompleteAnswer);
    expect(ddb.commandCalls(DeleteCommand)).toHaveLength(0);
  });
});
