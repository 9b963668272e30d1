import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { handler as verifyHandler } from '../../../../functions/handlers/api/verify-request.ts';
import { REQUEST_ID, requestRecord, verificationFor, readOf } from '../../../support/in-memory-context.ts';
import { answer, apiEvent, checked, lambdaContext } from '../support.ts';

const handler = checked(verifyHandler);
import { stubHandlerEnv } from './env.ts';

const docs = mockClient(DynamoDBDocumentClient);
const sfn = mockClient(SFNClient);

beforeAll(stubHandlerEnv);
beforeEach(() => {
  // A code sent now (the handler's clock is the system clock).
  const sentAt = new Date().toISOString();
  const expiresAt = new Date(Date.now() + 15 * 60_000).toISOString();
  const record = requestRecord({ verification: verificationFor(REQUEST_ID, '246810', { sentAt, expiresAt }) });
  docs.on(QueryCommand).resolves({ Items: [] });
  docs.on(QueryCommand, readOf(REQUEST_ID)).resolves({ Items: [record] });
  docs.on(GetCommand, { Key: { pk: `REQ#${REQUEST_ID}`, sk: 'TASK#verification' } }).resolves({ Item: { token: 'tok-v' } });
  // The attempt is consumed (attempts + 1) before the code is compared; other updates answer the record.
  docs.on(UpdateCommand).callsFake((input: { UpdateExpression?: string }) => ({
    Attributes: input.UpdateExpression?.includes('+ :one') ? { ...record, verification: { ...record.verification, attempts: 1 } } : record,
  }));
  docs.on(PutCommand).resolves({});
  docs.on(DeleteCommand).resolves({});
  sfn.on(SendTaskSuccessCommand).resolves({});
});
afterEach(() => {
  docs.reset();
  sfn.reset();
});

const verify = async (body: unknown) =>
  answer(await handler(apiEvent({ path: `/v1/requests/${REQUEST_ID}/verify`, pathParameters: { id: REQUEST_ID }, body: JSON.stringify(body) }), lambdaContext()));

describe('POST /v1/requests/{id}/verify', () => {
  it('answers 200 verified for the right code', async () => {
    const res = await verify({ code: '246810' });

    expect(res.statusCode).toBe(200);
    expect(res.body).toEqual({ status: 'verified' });
    expect(sfn.commandCalls(SendTaskSuccessCommand)[0]!.args[0].input.taskToken).toBe('tok-v');
  });

  it('answers 400 wrong_code with the tries left', async () => {
    const res = await verify({ code: '111111' });

    expect(res.statusCode).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'wrong_code', details: { attemptsLeft: 4 } });
  });

  it('answers 400 for a code that is not six digits, before reading anything (only the client\'s call is counted)', async () => {
    const res = await verify({ code: '12ab' });

    expect(res.statusCode).toBe(400);
    expect(res.body.error?.message).toContain('code');
    expect(docs.calls().map((c) => (c.args[0].input as { Key?: { pk?: string } }).Key?.pk)).toEqual([expect.stringMatching(/^RATE#ip-verify#[0-9a-f]{64}$/)]);
  });

  it('answers 429 with Retry-After once the client IP has used up its calls, before reading anything', async () => {
    docs.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));

    const res = await verify({ code: '246810' });

    expect(res.statusCode).toBe(429);
    expect(res.body.error).toMatchObject({ code: 'rate_limited', message: expect.stringContaining('try again') });
    expect(Number(res.headers?.['retry-after'])).toBeGreaterThan(0);
    expect(res.headers?.['retry-after']).toBe(String(res.body.error?.details?.retryAfterSeconds));
    expect([...docs.commandCalls(GetCommand), ...docs.commandCalls(QueryCommand)]).toHaveLength(0);
    expect(sfn.calls()).toHaveLength(0);
  });
});
