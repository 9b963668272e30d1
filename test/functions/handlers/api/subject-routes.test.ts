import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { hashToken } from '#commons/tokens';
import { handler as downloadHandler } from '../../../../functions/handlers/api/download.ts';
import { handler as statusHandler } from '../../../../functions/handlers/api/get-request-status.ts';
import { handler as replyHandler } from '../../../../functions/handlers/api/subject-reply.ts';
import { REQUEST_ID, readOf, requestRecord } from '../../../support/in-memory-context.ts';
import { answer, apiEvent, checked, lambdaContext } from '../support.ts';

const download = Object.assign(checked(downloadHandler), { route: '/v1/downloads' });
const status = Object.assign(checked(statusHandler), { route: '/v1/requests' });
const reply = checked(replyHandler);
import { stubHandlerEnv } from './env.ts';

const docs = mockClient(DynamoDBDocumentClient);

beforeAll(stubHandlerEnv);
beforeEach(() => {
  docs.on(GetCommand).resolves({});
  docs.on(QueryCommand).resolves({ Items: [] });
  docs.on(QueryCommand, readOf(REQUEST_ID)).resolves({ Items: [requestRecord({ statusTokenHash: hashToken('st') })] });
  docs.on(GetCommand, { Key: { pk: `REQ#${REQUEST_ID}`, sk: 'DL' } }).resolves({
    Item: { requestId: REQUEST_ID, tokenHash: hashToken('dl'), key: `exports/${REQUEST_ID}/access.zip`, expiresAt: new Date(Date.now() + 86_400_000).toISOString() },
  });
  docs.on(PutCommand).resolves({});
});
afterEach(() => docs.reset());

const get = async (h: typeof status, id: string, token?: string) =>
  answer(await h(apiEvent({ method: 'GET', path: `${h.route}/${id}`, pathParameters: { id }, ...(token ? { query: { token } } : {}) }), lambdaContext()));

describe('GET /v1/requests/{id}', () => {
  it('answers the status for the right token', async () => {
    const res = await get(status, REQUEST_ID, 'st');

    expect(res.statusCode).toBe(200);
    expect(res.body).toMatchObject({ requestId: REQUEST_ID, status: 'awaiting_verification' });
  });

  it('answers 403 for a wrong token and 404 for an unknown id', async () => {
    expect((await get(status, REQUEST_ID, 'nope')).statusCode).toBe(403);
    expect((await get(status, 'dsar_unknown0000', 'st')).statusCode).toBe(404);
  });
});

describe('GET /v1/downloads/{id}', () => {
  it('redirects (302) to a presigned URL that lives for minutes', async () => {
    const res = await get(download, REQUEST_ID, 'dl');

    expect(res.statusCode).toBe(302);
    const location = new URL(res.headers.location!);
    expect(Number(location.searchParams.get('X-Amz-Expires'))).toBeLessThanOrEqual(3600);
    expect(location.href).toContain(`exports/${REQUEST_ID}/access.zip`);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('answers 403 for a wrong token, without a location', async () => {
    const res = await get(download, REQUEST_ID, 'guess');

    expect(res.statusCode).toBe(403);
    expect(res.headers.location).toBeUndefined();
  });
});

describe('POST /v1/requests/{id}/reply', () => {
  const post = async (body: unknown) =>
    answer(await reply(apiEvent({ method: 'POST', path: `/v1/requests/${REQUEST_ID}/reply`, pathParameters: { id: REQUEST_ID }, body: JSON.stringify(body) }), lambdaContext()));

  it('refuses an empty message, a missing token and unknown fields with 400, before reading the request', async () => {
    for (const body of [{ token: 'st', message: '   ' }, { message: 'hello' }, { token: 'st', message: 'hi', extra: 1 }]) {
      const res = await post(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
    }
    expect([...docs.commandCalls(GetCommand), ...docs.commandCalls(QueryCommand)]).toHaveLength(0);
  });

  it('answers 403 for a wrong token and writes nothing', async () => {
    const res = await post({ token: 'nope', message: 'hello' });

    expect(res.statusCode).toBe(403);
    expect(docs.commandCalls(PutCommand)).toHaveLength(0);
  });
});
