import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { ConditionalCheckFailedException, DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { resetAppContext } from '#domain/context';
import { exampleConfigJson, requestRecord } from '../../domain/requests/support.ts';
import { answer, apiEvent, lambdaContext } from '../support.ts';

vi.stubEnv('DSAR_TABLE', 'dsar-test-table');
vi.stubEnv('DSAR_STAGING_BUCKET', 'dsar-staging');
vi.stubEnv('DSAR_EXPORTS_BUCKET', 'dsar-exports');
vi.stubEnv('DSAR_STATE_MACHINE_ARN', 'arn:aws:states:eu-north-1:123456789012:stateMachine:dsar');
vi.stubEnv('DSAR_CONFIG', JSON.stringify(exampleConfigJson()));
const { handler } = await import('../../../../functions/handlers/api/create-request.ts');

const docs = mockClient(DynamoDBDocumentClient);
const raw = mockClient(DynamoDBClient);
const sfn = mockClient(SFNClient);

/** The Powertools idempotency table, in memory: conditional put, update, get, delete. */
let idempotency: Map<string, Record<string, AttributeValue>>;
const keyOf = (key: Record<string, AttributeValue>) => `${key.pk?.S}|${key.sk?.S}`;

function fakeIdempotencyTable() {
  idempotency = new Map();
  raw.on(PutItemCommand).callsFake((input: { Item: Record<string, AttributeValue> }) => {
    const k = keyOf(input.Item);
    const existing = idempotency.get(k);
    if (existing) throw new ConditionalCheckFailedException({ message: 'exists', $metadata: {}, Item: existing });
    idempotency.set(k, { ...input.Item });
    return {};
  });
  raw.on(UpdateItemCommand).callsFake((input: { Key: Record<string, AttributeValue>; ExpressionAttributeNames: Record<string, string>; ExpressionAttributeValues: Record<string, AttributeValue> }) => {
    const item = idempotency.get(keyOf(input.Key)) ?? { ...input.Key };
    for (const [placeholder, name] of Object.entries(input.ExpressionAttributeNames)) {
      const value = input.ExpressionAttributeValues[`:${placeholder.slice(1)}`];
      if (value) item[name] = value;
    }
    idempotency.set(keyOf(input.Key), item);
    return {};
  });
  raw.on(GetItemCommand).callsFake((input: { Key: Record<string, AttributeValue> }) => ({ Item: idempotency.get(keyOf(input.Key)) }));
  raw.on(DeleteItemCommand).callsFake((input: { Key: Record<string, AttributeValue> }) => {
    idempotency.delete(keyOf(input.Key));
    return {};
  });
}

beforeAll(() => resetAppContext());
afterAll(() => vi.unstubAllEnvs());

beforeEach(() => {
  fakeIdempotencyTable();
  docs.on(QueryCommand).resolves({ Items: [] });
  docs.on(PutCommand).resolves({});
  docs.on(UpdateCommand).resolves({ Attributes: {} });
  sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => ({ executionArn: `arn:exec:${input.name}`, startDate: new Date() }));
});
afterEach(() => {
  docs.reset();
  raw.reset();
  sfn.reset();
});

const post = async (body: unknown, headers: Record<string, string> = {}) =>
  answer(await handler(apiEvent({ body: typeof body === 'string' ? body : JSON.stringify(body), headers }), lambdaContext()));

const filedRequests = () => docs.commandCalls(PutCommand).filter((c) => (c.args[0].input.Item as { sk?: string }).sk === 'META');

describe('POST /v1/requests', () => {
  it('answers 202 with a request id and files the request', async () => {
    const res = await post({ type: 'access', email: 'alice@example.com', name: 'Alice' });

    expect(res.statusCode).toBe(202);
    expect(res.body).toEqual({ requestId: expect.stringMatching(/^dsar_/), status: 'received' });
    expect(filedRequests()).toHaveLength(1);
    expect(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input.name).toBe(res.body.requestId);
  });

  it('answers the same shape whether or not a request is already open for the address', async () => {
    const fresh = await post({ type: 'access', email: 'carol@example.com' });
    docs.on(QueryCommand).resolves({ Items: [requestRecord({ status: 'awaiting_review' })] });
    const duplicate = await post({ type: 'access', email: 'alice@example.com' });

    expect(duplicate.statusCode).toBe(fresh.statusCode);
    expect(Object.keys(duplicate.body)).toEqual(Object.keys(fresh.body));
    expect(duplicate.body.status).toBe(fresh.body.status);
    expect((filedRequests()[1]!.args[0].input.Item as { status: string }).status).toBe('duplicate');
  });

  it.each([
    ['an invalid email', { type: 'access', email: 'not-an-address' }, 'email'],
    ['an unknown type', { type: 'rectification', email: 'a@example.com' }, 'type'],
    ['an extra field', { type: 'access', email: 'a@example.com', admin: true }, 'admin'],
    ['a country that is not a code', { type: 'access', email: 'a@example.com', country: 'Norway' }, 'country'],
  ])('rejects %s with 400 naming the field, and files nothing', async (_what, body, field) => {
    const res = await post(body);

    expect(res.statusCode).toBe(400);
    expect(res.body.error?.code).toBe('invalid_request');
    expect(res.body.error?.message).toContain(field);
    expect(filedRequests()).toHaveLength(0);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('replays the first answer for the same Idempotency-Key instead of filing again', async () => {
    const body = { type: 'access', email: 'alice@example.com' };
    const first = await post(body, { 'Idempotency-Key': 'key-123' });

    const second = await post(body, { 'idempotency-key': 'key-123' });

    expect(second.statusCode).toBe(202);
    expect(second.body).toEqual(first.body);
    expect(filedRequests()).toHaveLength(1);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  it('files separately for different Idempotency-Keys', async () => {
    const body = { type: 'access', email: 'alice@example.com' };
    const a = await post(body, { 'Idempotency-Key': 'key-a' });
    const b = await post(body, { 'Idempotency-Key': 'key-b' });

    expect(a.body.requestId).not.toBe(b.body.requestId);
    expect(filedRequests()).toHaveLength(2);
  });

  it('answers 422 when an Idempotency-Key comes back with another body', async () => {
    await post({ type: 'access', email: 'alice@example.com' }, { 'Idempotency-Key': 'key-x' });

    const res = await post({ type: 'erasure', email: 'alice@example.com' }, { 'Idempotency-Key': 'key-x' });

    expect(res.statusCode).toBe(422);
    expect(res.body.error?.code).toBe('idempotency_key_reused');
    expect(filedRequests()).toHaveLength(1);
  });
});
