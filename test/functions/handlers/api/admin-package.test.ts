import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { handler as packageLink } from '../../../../functions/handlers/api/admin-package.ts';
import { REQUEST_ID, readOf, requestRecord } from '../../../support/in-memory-context.ts';
import { answer, apiEvent, checked, lambdaContext } from '../support.ts';

const handler = checked(packageLink);
import { stubHandlerEnv } from './env.ts';

const docs = mockClient(DynamoDBDocumentClient);
const APPROVER = { sub: 'u1', email: 'dana@example-video.test', 'cognito:groups': '[approver viewer]' };
const VIEWER = { sub: 'u2', email: 'vic@example-video.test', 'cognito:groups': '[viewer]' };
const KEY = `exports/${REQUEST_ID}/access-${REQUEST_ID}.zip`;

beforeAll(stubHandlerEnv);
beforeEach(() => {
  const record = requestRecord({
    status: 'completed',
    package: { key: KEY, createdAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 86_400_000).toISOString() },
  });
  docs.on(QueryCommand).resolves({ Items: [] });
  docs.on(QueryCommand, readOf(REQUEST_ID)).resolves({ Items: [record] });
  docs.on(PutCommand).resolves({});
});
afterEach(() => docs.reset());

const review = async (claims: Record<string, unknown> | null) =>
  answer(
    await handler(
      apiEvent({ method: 'GET', path: `/v1/admin/requests/${REQUEST_ID}/package`, pathParameters: { id: REQUEST_ID }, ...(claims ? { claims } : {}) }),
      lambdaContext(),
    ),
  );

describe('GET /v1/admin/requests/{id}/package', () => {
  it('answers an approver a short-lived link to the package and audits the review under their name', async () => {
    const res = await review(APPROVER);

    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(new URL(res.body.url as string).pathname).toContain(KEY);
    expect(res.body.expiresInSeconds).toBeGreaterThan(0);
    expect(res.body.expiresInSeconds).toBeLessThanOrEqual(3600);
    const audit = docs.commandCalls(PutCommand).map((c) => c.args[0].input.Item as { action?: string; actor?: string });
    expect(audit.find((a) => a.action === 'package.reviewed')?.actor).toBe('dana@example-video.test');
  });

  it('answers 403 to a viewer without reading the request', async () => {
    const res = await review(VIEWER);

    expect(res.statusCode).toBe(403);
    expect(docs.calls()).toHaveLength(0);
  });

  it('answers 401 without claims', async () => {
    expect((await review(null)).statusCode).toBe(401);
  });
});
