import { afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient, ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { OPEN_INDEX, SUBJECT_INDEX } from '#domain/requests/model';
import { RequestNotFound, RequestRepository, StateConflict } from '#domain/requests/repository';
import { REQUEST_ID, requestRecord } from './support.ts';

const ddb = mockClient(DynamoDBDocumentClient);
const repo = new RequestRepository(DynamoDBDocumentClient.from(new DynamoDBClient({})), 'dsar-table');
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

afterEach(() => ddb.reset());

describe('RequestRepository', () => {
  it('creates a request only if none has its key', async () => {
    ddb.on(PutCommand).resolves({});

    await repo.create(requestRecord());

    const put = ddb.commandCalls(PutCommand)[0]!.args[0].input;
    expect(put.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(put.Item).toMatchObject({ pk: `REQ#${REQUEST_ID}`, sk: 'META' });
  });

  it('updates only from the given statuses and takes a closed request out of the open queue', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: requestRecord({ status: 'completed' }) });

    await repo.update(REQUEST_ID, { status: 'completed' }, { onlyIf: ['assembling', 'in_progress'] });

    const input = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(input.ConditionExpression).toBe('attribute_exists(#pk) AND #status IN (:s0, :s1)');
    expect(input.ExpressionAttributeValues).toMatchObject({ ':s0': 'assembling', ':s1': 'in_progress' });
    expect(input.UpdateExpression).toMatch(/REMOVE #r0, #r1$/);
    expect([input.ExpressionAttributeNames!['#r0'], input.ExpressionAttributeNames!['#r1']].sort()).toEqual(['openPk', 'openSk']);
  });

  it('reports a lost condition as StateConflict naming the current status', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({ Item: requestRecord({ status: 'denied' }) });

    const err = await repo.update(REQUEST_ID, { status: 'in_progress' }, { onlyIf: ['awaiting_review'] }).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(StateConflict);
    expect((err as Error).message).toContain('is denied');
  });

  it('reports an update of a missing request as RequestNotFound', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({});

    await expect(repo.update(REQUEST_ID, { status: 'in_progress' })).rejects.toBeInstanceOf(RequestNotFound);
  });

  it('raises RequestNotFound from get for an unknown id', async () => {
    ddb.on(GetCommand).resolves({});

    await expect(repo.get('dsar_nothere000')).rejects.toBeInstanceOf(RequestNotFound);
  });

  it('appends audit events that can never overwrite one another', async () => {
    ddb.on(PutCommand).resolves({});

    const a = await repo.audit(REQUEST_ID, 'dana', 'review.approved', { type: 'access' }, new Date('2026-01-01T00:00:00Z'));
    const b = await repo.audit(REQUEST_ID, 'dana', 'review.approved', undefined, new Date('2026-01-01T00:00:00Z'));

    expect(a.sk).not.toBe(b.sk);
    expect(a.sk.startsWith('EVT#2026-01-01T00:00:00.000Z#')).toBe(true);
    expect(ddb.commandCalls(PutCommand).every((c) => c.args[0].input.ConditionExpression === 'attribute_not_exists(sk)')).toBe(true);
  });

  it('reads the whole audit trail over pages', async () => {
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [{ action: 'a' }], LastEvaluatedKey: { pk: 'x', sk: 'y' } })
      .resolvesOnce({ Items: [{ action: 'b' }] });

    const trail = await repo.auditTrail(REQUEST_ID);

    expect(trail.map((e) => e.action)).toEqual(['a', 'b']);
    expect(ddb.commandCalls(QueryCommand)[1]!.args[0].input.ExclusiveStartKey).toEqual({ pk: 'x', sk: 'y' });
  });

  it('lists the open queue from its index, up to and including the due date asked for', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });

    await repo.listOpen({ dueBefore: '2026-04-01' });

    const input = ddb.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(input.IndexName).toBe(OPEN_INDEX);
    expect(input.ExpressionAttributeValues).toEqual({ ':open': 'OPEN', ':before': '2026-04-01#~' });
    expect('2026-04-01#dsar_zzzz' < '2026-04-01#~').toBe(true);
  });

  it('finds a subject’s requests by the hash index, newest first', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });

    await repo.bySubject('abc');

    const input = ddb.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ IndexName: SUBJECT_INDEX, ScanIndexForward: false, ExpressionAttributeValues: { ':h': 'abc' } });
  });
});
