/**
 * POST /v1/requests with an authorised agent, on a real table (dynalite) and a real S3 emulator (s3rver):
 * the permission document lands in the documents bucket under the request, and a body that is refused
 * leaves nothing behind, neither a request nor a document.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { resetAppContext } from '#domain/context';
import { resetClients } from '#commons/clients';
import type { RequestRecord } from '#domain/requests/model';
import { exampleConfigJson } from '../../../support/in-memory-context.ts';
import { startHarness, TABLE, type Harness } from '../../../support/dynalite-harness.ts';
import { startS3rver, S3RVER_CREDENTIALS, type S3rverHandle } from '../../../support/s3rver.ts';
import { agentInput, htmlDocument, jpegDocument, pdfDocument, pngDocument } from '../../../support/agent-documents.ts';
import { answer, apiEvent, checked, lambdaContext } from '../support.ts';

const BUCKET = 'dsar-documents-test';
const MAX_BYTES = 20 * 1024;
let h: Harness;
let s3: S3rverHandle;
let handler: ReturnType<typeof checked>;
const sfn = mockClient(SFNClient);

beforeAll(async () => {
  [h, s3] = await Promise.all([startHarness(), startS3rver({ buckets: [BUCKET] })]);
  vi.stubEnv('DSAR_TABLE', TABLE);
  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', h.emulator.url);
  vi.stubEnv('AWS_ENDPOINT_URL_S3', s3.endpoint);
  vi.stubEnv('AWS_ACCESS_KEY_ID', S3RVER_CREDENTIALS.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', S3RVER_CREDENTIALS.secretAccessKey);
  vi.stubEnv('AWS_REQUEST_CHECKSUM_CALCULATION', 'WHEN_REQUIRED');
  vi.stubEnv('AWS_RESPONSE_CHECKSUM_VALIDATION', 'WHEN_REQUIRED');
  vi.stubEnv('DSAR_S3_FORCE_PATH_STYLE', 'true');
  vi.stubEnv('DSAR_DOCUMENTS_BUCKET', BUCKET);
  vi.stubEnv('DSAR_STATE_MACHINE_ARN', 'arn:aws:states:eu-north-1:123456789012:stateMachine:dsar');
  vi.stubEnv('DSAR_CONFIG', JSON.stringify({ ...exampleConfigJson(), agents: { permissionMaxBytes: MAX_BYTES } }));
  resetClients();
  resetAppContext();
  handler = checked((await import('../../../../functions/handlers/api/create-request.ts')).handler);
}, 60_000);
afterAll(async () => {
  vi.unstubAllEnvs();
  resetClients();
  resetAppContext();
  await Promise.all([h?.close(), s3?.close()]);
});
beforeEach(() => {
  sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => ({ executionArn: `arn:exec:${input.name}`, startDate: new Date() }));
});
afterEach(() => sfn.reset());

let n = 0;
const fresh = () => `subject-${++n}-${Date.now().toString(36)}@example.com`;
let ip = 0;
const post = async (body: unknown) => {
  const event = apiEvent({ body: JSON.stringify(body) });
  event.requestContext.http.sourceIp = `198.51.100.${++ip % 250}`;
  return answer(await handler(event, lambdaContext()));
};
const stored = (id: unknown) => h.ctx.repo.find(String(id)) as Promise<RequestRecord | undefined>;
const documents = async () => (await s3.s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))).Contents?.map((o) => o.Key) ?? [];

describe('POST /v1/requests filed by an authorised agent', () => {
  it('files the request for the subject, with the agent on record and the permission stored under the request', async () => {
    const email = fresh();
    const res = await post({ type: 'access', email, name: 'Carol', agent: agentInput({ locale: 'nb' }) });

    expect(res.statusCode).toBe(202);
    const record = (await stored(res.body.requestId))!;
    expect(record.subject.email).toBe(email);
    expect(record.agent).toMatchObject({ name: 'Dana Agent', email: 'dana@agents.example.org', organisation: 'Privacy Helpers', relationship: 'authorised_agent', locale: 'nb' });
    expect(record.agent!.permission).toMatchObject({ key: `requests/${res.body.requestId}/agent-permission.pdf`, contentType: 'application/pdf', bytes: pdfDocument().length });
    const object = await s3.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: record.agent!.permission.key }));
    expect(Buffer.from(await object.Body!.transformToByteArray()).equals(pdfDocument())).toBe(true);
  });

  it.each([
    ['a PNG', pngDocument(), 'image/png', 'png'],
    ['a JPEG', jpegDocument(), 'image/jpeg', 'jpg'],
  ])('accepts %s permission', async (_what, doc, type, ext) => {
    const res = await post({ type: 'erasure', email: fresh(), agent: agentInput({}, doc, type) });
    expect(res.statusCode).toBe(202);
    expect((await stored(res.body.requestId))!.agent!.permission.key).toMatch(new RegExp(`\\.${ext}$`));
  });

  it('answers an agent filing for a person the company knows nothing about exactly as any other filing', async () => {
    const unknown = await post({ type: 'access', email: `nobody-${++n}@unknown.example`, agent: agentInput() });
    const known = await post({ type: 'access', email: 'alice@example.com', agent: agentInput() });
    expect(unknown.statusCode).toBe(known.statusCode);
    expect(Object.keys(unknown.body)).toEqual(Object.keys(known.body));
    expect(unknown.body.status).toBe(known.body.status);
  });

  it.each([
    ['an HTML page declared as a PDF', agentInput({}, htmlDocument(), 'application/pdf'), 400, 'invalid_permission_content'],
    ['a PNG declared as a PDF', agentInput({}, pngDocument(), 'application/pdf'), 400, 'permission_type_mismatch'],
    ['a declared type that is not allowed', agentInput({}, htmlDocument(), 'text/html'), 400, 'invalid_request'],
    ['a document over the configured size', agentInput({}, Buffer.concat([pdfDocument(), Buffer.alloc(MAX_BYTES)])), 413, 'permission_too_large'],
    ['data that is not base64', agentInput({ permission: { contentType: 'application/pdf', data: '%PDF-1.4 raw' } }), 400, 'invalid_permission_data'],
    ['an agent without a permission', agentInput({ permission: undefined }), 400, 'invalid_request'],
    ['an unknown relationship', agentInput({ relationship: 'friend' }), 400, 'invalid_request'],
    ['an agent name with a web address', agentInput({ name: 'Visit evil.example now' }), 400, 'invalid_agent_name'],
    ['an agent name of 201 characters', agentInput({ name: 'a'.repeat(201) }), 400, 'invalid_request'],
    ['an extra agent field', agentInput({ phone: '123' }), 400, 'invalid_request'],
  ])('refuses %s with a 4xx and writes nothing', async (_what, agent, status, code) => {
    const before = await documents();
    const email = fresh();
    const res = await post({ type: 'access', email, agent });

    expect(res.statusCode).toBe(status);
    expect(res.body.error?.code).toBe(code);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect(await h.ctx.repo.bySubject((await import('#commons/tokens')).subjectHash(email))).toEqual([]);
    expect(await documents()).toEqual(before);
  });

  it('refuses an agent whose address is the subject’s own', async () => {
    const email = fresh();
    const res = await post({ type: 'access', email, agent: agentInput({ email: email.toUpperCase() }) });
    expect(res.statusCode).toBe(400);
    expect(res.body.error?.code).toBe('agent_is_subject');
  });
});
