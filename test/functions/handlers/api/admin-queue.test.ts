/**
 * GET /v1/admin/requests (the queue's filters, closed list and search by email) and
 * GET /v1/admin/requests/{id}/history: what each asks DynamoDB, that bad input is a 400 that does not
 * echo the address, and that answers match docs/openapi.yaml (checked()).
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { subjectHash } from '#commons/tokens';
import { logger } from '#commons/observability';
import { handler as listRequests } from '../../../../functions/handlers/api/admin-list-requests.ts';
import { handler as history } from '../../../../functions/handlers/api/admin-request-history.ts';
import { OTHER_ID, REQUEST_ID, readOf, requestRecord } from '../../../support/in-memory-context.ts';
import { answer, apiEvent, checked, lambdaContext } from '../support.ts';
import { stubHandlerEnv } from './env.ts';

const docs = mockClient(DynamoDBDocumentClient);
const VIEWER = { sub: 'u2', email: 'vera@example-video.test', 'cognito:groups': '[viewer]' };
const list = checked(listRequests);
const getHistory = checked(history);

beforeAll(stubHandlerEnv);
beforeEach(() => {
  docs.on(QueryCommand).resolves({ Items: [] });
});
afterEach(() => {
  docs.reset();
  vi.restoreAllMocks();
});

const listWith = async (query: Record<string, string>) =>
  answer(await list(apiEvent({ method: 'GET', path: '/v1/admin/requests', query, claims: VIEWER }), lambdaContext()));

describe('GET /v1/admin/requests', () => {
  it('finds a subject by exact address through the by-subject index, with the address hashed and never logged', async () => {
    const log = vi.spyOn(process.stdout, 'write');
    const info = vi.spyOn(logger, 'info');
    const record = requestRecord({ status: 'awaiting_review' });
    // The index holds keys only: the request is then read in full.
    docs.on(QueryCommand, { IndexName: 'by-subject' }).resolves({ Items: [{ pk: record.pk, sk: record.sk }] });
    docs.on(QueryCommand, readOf(REQUEST_ID)).resolves({ Items: [{ ...record, subjectHash: subjectHash('alice@example.com') }] });

    const res = await listWith({ email: ' Alice@Example.com ' });

    expect(res.statusCode).toBe(200);
    expect((res.body.items as Array<{ requestId: string }>).map((r) => r.requestId)).toEqual([REQUEST_ID]);
    const query = docs.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(query.IndexName).toBe('by-subject');
    expect(query.ExpressionAttributeValues).toEqual({ ':h': subjectHash('alice@example.com') });
    const written = [...log.mock.calls.map((c) => String(c[0])), ...info.mock.calls.map((c) => JSON.stringify(c))].join('\n');
    expect(written.toLowerCase()).not.toContain('alice@example.com');
  });

  it('lists closed requests from the purge index, newest first', async () => {
    await listWith({ state: 'closed' });

    const query = docs.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(query).toMatchObject({ IndexName: 'purge-by-date', KeyConditionExpression: 'purgePk = :purge', ScanIndexForward: false });
  });

  it('filters by assignee in the query of the open index', async () => {
    await listWith({ assignee: 'dana@example-video.test' });

    const query = docs.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(query.IndexName).toBe('open-by-due');
    expect(query.FilterExpression).toBe('#q_assignee = :q_assignee');
    expect(query.ExpressionAttributeValues).toMatchObject({ ':q_assignee': 'dana@example-video.test' });
  });

  it('reads overdue requests as a key range of the due date', async () => {
    await listWith({ overdue: 'true' });

    const query = docs.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(query.KeyConditionExpression).toBe('openPk = :open AND openSk < :before');
  });

  it.each([
    [{ email: 'not-an-address' }, 'email is the subject'],
    [{ overdue: 'yes' }, 'overdue is true or false'],
    [{ state: 'all' }, 'state is open or closed'],
    [{ assignee: '' }, 'assignee is a staff id'],
    [{ state: 'closed', status: 'in_progress' }, 'status in_progress is open'],
    [{ state: 'closed', overdue: 'true' }, 'overdue applies to open requests only'],
    [{ status: 'denied', dueBefore: '2026-05-01' }, 'dueBefore applies to open requests only'],
  ])('answers 400 for %j, without reading', async (query, text) => {
    const res = await listWith(query);

    expect(res.statusCode).toBe(400);
    expect(res.body.error?.message).toContain(text);
    expect(docs.commandCalls(QueryCommand)).toHaveLength(0);
  });

  it('does not echo a malformed address in the error', async () => {
    const res = await listWith({ email: 'alice@@example.com' });

    expect(res.statusCode).toBe(400);
    expect(JSON.stringify(res.body)).not.toContain('alice@@example.com');
  });
});

describe('GET /v1/admin/requests/{id}/history', () => {
  it("answers every request in the subject's name, the asked one marked", async () => {
    const current = requestRecord({ status: 'awaiting_review' });
    const earlier = requestRecord({ requestId: OTHER_ID, status: 'denied', receivedAt: '2025-05-01T10:00:00.000Z', closedAt: '2025-05-03T10:00:00.000Z', decision: { outcome: 'denied', by: 'dana', at: '2025-05-03T10:00:00.000Z', reason: 'excessive' } });
    docs.on(QueryCommand, readOf(REQUEST_ID)).resolves({ Items: [current] });
    docs.on(QueryCommand, readOf(OTHER_ID)).resolves({ Items: [earlier] });
    docs.on(QueryCommand, { IndexName: 'by-subject' }).resolves({ Items: [current, earlier].map((r) => ({ pk: r.pk, sk: r.sk })) });

    const res = answer(await getHistory(apiEvent({ method: 'GET', path: `/v1/admin/requests/${REQUEST_ID}/history`, pathParameters: { id: REQUEST_ID }, claims: VIEWER }), lambdaContext()));

    expect(res.statusCode).toBe(200);
    expect((res.body.items as Array<{ requestId: string; current: boolean }>).map((i) => [i.requestId, i.current])).toEqual([
      [REQUEST_ID, true],
      [OTHER_ID, false],
    ]);
    expect((res.body.items as Array<{ decision?: unknown }>)[1]!.decision).toEqual({ outcome: 'denied', at: '2025-05-03T10:00:00.000Z', reason: 'excessive' });
  });

  it('answers 404 for a request that does not exist, and 401 without a token', async () => {
    docs.on(QueryCommand, readOf(REQUEST_ID)).resolves({ Items: [] });
    const missing = answer(await getHistory(apiEvent({ method: 'GET', path: `/v1/admin/requests/${REQUEST_ID}/history`, pathParameters: { id: REQUEST_ID }, claims: VIEWER }), lambdaContext()));
    const anonymous = answer(await getHistory(apiEvent({ method: 'GET', path: `/v1/admin/requests/${REQUEST_ID}/history`, pathParameters: { id: REQUEST_ID } }), lambdaContext()));

    expect(missing.statusCode).toBe(404);
    expect(anonymous.statusCode).toBe(401);
  });
});
