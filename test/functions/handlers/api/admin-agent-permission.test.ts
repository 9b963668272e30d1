import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { resetAppContext } from '#domain/context';
import { handler as permissionLinkHandler } from '../../../../functions/handlers/api/admin-agent-permission.ts';
import { REQUEST_ID, readOf, requestRecord } from '../../../support/in-memory-context.ts';
import { answer, apiEvent, checked, lambdaContext } from '../support.ts';
import { stubHandlerEnv } from './env.ts';

const handler = checked(permissionLinkHandler);
const docs = mockClient(DynamoDBDocumentClient);
const APPROVER = { sub: 'u1', email: 'dana@example-video.test', 'cognito:groups': '[approver viewer]' };
const VIEWER = { sub: 'u2', email: 'vic@example-video.test', 'cognito:groups': '[viewer]' };
const KEY = `requests/${REQUEST_ID}/agent-permission.pdf`;
const agent = {
  name: 'Dana Agent',
  email: 'dana@agents.example.org',
  relationship: 'authorised_agent' as const,
  permission: { key: KEY, contentType: 'application/pdf' as const, bytes: 2048, sha256: 'b'.repeat(64) },
};

beforeAll(() => {
  stubHandlerEnv();
  vi.stubEnv('DSAR_DOCUMENTS_BUCKET', 'dsar-documents');
  resetAppContext();
});
beforeEach(() => {
  docs.on(QueryCommand).resolves({ Items: [] });
  docs.on(QueryCommand, readOf(REQUEST_ID)).resolves({ Items: [requestRecord({ agent })] });
  docs.on(PutCommand).resolves({});
});
afterEach(() => docs.reset());

const open = async (claims: Record<string, unknown> | null) =>
  answer(
    await handler(
      apiEvent({ method: 'GET', path: `/v1/admin/requests/${REQUEST_ID}/agent-permission`, pathParameters: { id: REQUEST_ID }, ...(claims ? { claims } : {}) }),
      lambdaContext(),
    ),
  );

describe('GET /v1/admin/requests/{id}/agent-permission', () => {
  it('answers an approver a short-lived link to the permission in the documents bucket, shown as its checked type, and audits it under their name', async () => {
    const res = await open(APPROVER);

    expect(res.statusCode).toBe(200);
    const url = new URL(res.body.url as string);
    expect(url.pathname).toContain(KEY);
    expect(url.href).toContain('dsar-documents');
    expect(url.searchParams.get('response-content-type')).toBe('application/pdf');
    expect(res.body).toMatchObject({ contentType: 'application/pdf', bytes: 2048 });
    expect(res.body.expiresInSeconds).toBeLessThanOrEqual(3600);
    const audit = docs.commandCalls(PutCommand).map((c) => c.args[0].input.Item as { action?: string; actor?: string });
    expect(audit.find((a) => a.action === 'agent.permission_opened')?.actor).toBe('dana@example-video.test');
  });

  it('answers 404 for a request no agent filed, and audits nothing', async () => {
    docs.on(QueryCommand, readOf(REQUEST_ID)).resolves({ Items: [requestRecord()] });
    const res = await open(APPROVER);
    expect(res.statusCode).toBe(404);
    expect(docs.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('answers 410 once the subject’s erasure deleted the document, naming that erasure, and audits nothing', async () => {
    const deletedFor = { reason: 'erasure' as const, erasureRequestId: 'dsar_erasure0000000001', at: '2026-03-05T10:00:00.000Z' };
    docs.on(QueryCommand, readOf(REQUEST_ID)).resolves({ Items: [requestRecord({ agent: { ...agent, permission: { ...agent.permission, deletedFor } } })] });
    const res = await open(APPROVER);
    expect(res.statusCode).toBe(410);
    expect(res.body.error).toMatchObject({ code: 'permission_deleted', message: expect.stringContaining('dsar_erasure0000000001') });
    expect(docs.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('answers 403 to a viewer without reading the request', async () => {
    const res = await open(VIEWER);
    expect(res.statusCode).toBe(403);
    expect(docs.calls()).toHaveLength(0);
  });
});
