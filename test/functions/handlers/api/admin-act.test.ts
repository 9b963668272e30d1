import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { handler as actOnRequest } from '../../../../functions/handlers/api/admin-act.ts';
import { REQUEST_ID, readOf, requestRecord } from '../../../support/in-memory-context.ts';
import { answer, apiEvent, checked, lambdaContext } from '../support.ts';

const handler = checked(actOnRequest);
import { stubHandlerEnv } from './env.ts';

const docs = mockClient(DynamoDBDocumentClient);
const sfn = mockClient(SFNClient);
const APPROVER = { sub: 'u1', email: 'dana@example-video.test', 'cognito:groups': '[approver viewer]' };

beforeAll(stubHandlerEnv);
beforeEach(() => {
  const record = requestRecord({ status: 'awaiting_review', type: 'erasure' });
  // Any other query finds nothing (a generic answer must come first: the later one wins where both match).
  docs.on(QueryCommand).resolves({ Items: [] });
  docs.on(QueryCommand, readOf(REQUEST_ID)).resolves({ Items: [record] });
  docs.on(GetCommand, { Key: { pk: `REQ#${REQUEST_ID}`, sk: 'TASK#review' } }).resolves({ Item: { token: 'tok-review' } });
  // The detail in the answer reads the preview too (none here).
  docs.on(GetCommand, { Key: { pk: `REQ#${REQUEST_ID}`, sk: 'PREVIEW' } }).resolves({});
  docs.on(UpdateCommand).resolves({ Attributes: record });
  docs.on(PutCommand).resolves({});
  docs.on(DeleteCommand).resolves({});
  sfn.on(SendTaskSuccessCommand).resolves({});
});
afterEach(() => {
  docs.reset();
  sfn.reset();
});

const act = async (action: string, body: unknown, claims: Record<string, unknown> | null = APPROVER, id = REQUEST_ID) =>
  answer(await handler(apiEvent({ path: `/v1/admin/requests/${id}/${action}`, pathParameters: { id, action }, body: JSON.stringify(body), ...(claims ? { claims } : {}) }), lambdaContext()));

describe('POST /v1/admin/requests/{id}/{action}', () => {
  it('approves an erasure with the confirmation and answers the detail, audited under the staff member', async () => {
    const res = await act('approve', { confirmRequestId: REQUEST_ID });

    expect(res.statusCode).toBe(200);
    expect(res.body).toHaveProperty('request');
    expect(sfn.commandCalls(SendTaskSuccessCommand)[0]!.args[0].input.taskToken).toBe('tok-review');
    const audit = docs.commandCalls(PutCommand).map((c) => c.args[0].input.Item as { action?: string; actor?: string });
    expect(audit.find((a) => a.action === 'review.approved')?.actor).toBe('dana@example-video.test');
  });

  it('answers 400 for an erasure approval without the confirmation', async () => {
    const res = await act('approve', {});

    expect(res.statusCode).toBe(400);
    expect(res.body.error?.code).toBe('confirmation_required');
    expect(sfn.calls()).toHaveLength(0);
  });

  it('answers 403 to a viewer', async () => {
    const res = await act('approve', { confirmRequestId: REQUEST_ID }, { sub: 'u2', 'cognito:groups': '[viewer]' });

    expect(res.statusCode).toBe(403);
    expect(docs.calls()).toHaveLength(0);
  });

  it('answers 401 without claims', async () => {
    expect((await act('approve', {}, null)).statusCode).toBe(401);
  });

  it('answers 404 for an unknown action', async () => {
    const res = await act('delete-everything', {});

    expect(res.statusCode).toBe(404);
    expect(res.body.error?.code).toBe('unknown_action');
  });

  it('answers 400 for a deny with a reason not on the list, naming the choices', async () => {
    const res = await act('deny', { reason: 'because' });

    expect(res.statusCode).toBe(400);
    expect(res.body.error?.message).toContain('manifestly_unfounded');
  });

  it('answers 400 for an extra field in an action body', async () => {
    expect((await act('cancel', { reason: 'x', force: true })).statusCode).toBe(400);
  });

  it('answers 404 for a path id that is not a request id', async () => {
    expect((await act('approve', {}, APPROVER, 'not-an-id')).statusCode).toBe(404);
  });

  it('assigns the request to a staff member, and answers 400 for an assignee that is not an address', async () => {
    const bad = await act('assign', { assignee: 'erik' });
    const good = await act('assign', { assignee: 'erik@example-video.test' });

    expect(bad.statusCode).toBe(400);
    expect(bad.body.error?.message).toContain('assignee is an email address');
    expect(good.statusCode).toBe(200);
    const update = docs.commandCalls(UpdateCommand).map((c) => c.args[0].input).find((i) => JSON.stringify(i.ExpressionAttributeValues ?? {}).includes('erik@'));
    expect(update).toBeDefined();
    const audit = docs.commandCalls(PutCommand).map((c) => c.args[0].input.Item as { action?: string; actor?: string });
    expect(audit.find((a) => a.action === 'request.assigned')?.actor).toBe('dana@example-video.test');
  });

  it.each([
    ['no body', undefined],
    ['a null body', null],
    ['an empty object', {}],
  ])('answers 400 to an assign with %s, and writes nothing', async (_, body) => {
    const res = await act('assign', body);

    expect(res.statusCode).toBe(400);
    expect(res.body.error?.message).toContain('assignee is required');
    expect(docs.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(docs.commandCalls(PutCommand)).toHaveLength(0);
  });

  it.each([null, ''])('hands the request back to the team when asked explicitly with assignee %j', async (assignee) => {
    const res = await act('assign', { assignee });

    expect(res.statusCode).toBe(200);
    const update = docs.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(update.UpdateExpression).toMatch(/REMOVE .*assignee|REMOVE #\w+/);
    const audit = docs.commandCalls(PutCommand).map((c) => c.args[0].input.Item as { action?: string });
    expect(audit.map((a) => a.action)).toContain('request.unassigned');
  });
});
