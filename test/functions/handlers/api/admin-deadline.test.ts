import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { FUNCTIONS } from '../../../../infra/functions.ts';
import { handlerEnvironment, putRequest, startHarness, type Harness } from '../../../support/dynalite-harness.ts';
import { checked, lambdaContext } from '../support.ts';

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

let h: Harness;
let deadlineHandler: Handler;
let metricsHandler: Handler;
const ses = mockClient(SESv2Client);

beforeAll(async () => {
  h = await startHarness();
  Object.assign(process.env, handlerEnvironment(h));
  ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
  deadlineHandler = checked((await import('../../../../functions/handlers/api/admin-deadline.ts')).handler as unknown as Handler);
  metricsHandler = checked((await import('../../../../functions/handlers/api/admin-metrics.ts')).handler as unknown as Handler);
});
afterAll(async () => {
  ses.restore();
  await h?.close();
});

const context = lambdaContext();

function event(method: string, path: string, route: string, opts: { body?: unknown; role?: string; headers?: Record<string, string>; query?: Record<string, string> } = {}): APIGatewayProxyEventV2 {
  const id = /requests\/([^/]+)/.exec(path)?.[1];
  return {
    version: '2.0',
    routeKey: `${method} ${route}`,
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...opts.headers },
    ...(opts.query ? { queryStringParameters: opts.query } : {}),
    ...(id ? { pathParameters: { id } } : {}),
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    isBase64Encoded: false,
    requestContext: {
      authorizer: { jwt: { claims: { sub: 'u1', email: 'alice@staff.test', 'cognito:groups': `[${opts.role ?? 'approver'}]` }, scopes: null } },
    },
  } as unknown as APIGatewayProxyEventV2;
}

const post = (id: string, action: string, body: unknown, role?: string) =>
  deadlineHandler(event('POST', `/v1/admin/requests/${id}/${action}`, `/v1/admin/requests/{id}/${action}`, { body, ...(role ? { role } : {}) }), context);

const errorOf = (res: APIGatewayProxyStructuredResultV2) => (JSON.parse(res.body!) as { error: { code: string; message: string } }).error;

describe('POST /v1/admin/requests/{id}/extend, /pause, /resume', () => {
  it('extends a request and answers the request in full with its new due date and audit trail', async () => {
    const r = await putRequest(h, { receivedAt: new Date(Date.now() - 5 * 86_400_000).toISOString() });
    const res = await post(r.requestId, 'extend', { reason: 'Many systems to search' });
    expect(res.statusCode).toBe(200);
    const body = JSON.parse(res.body!) as { request: { dueDate: string; extension: { reason: string } }; audit: Array<{ action: string }> };
    expect(body.request.dueDate).toBe(r.extendedDueDate);
    expect(body.request.extension.reason).toBe('Many systems to search');
    expect(body.audit.map((a) => a.action)).toContain('deadline.extended');
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
  });

  it('answers 500 and leaves the request unextended when the notice cannot be sent, so trying again works', async () => {
    const r = await putRequest(h, { receivedAt: new Date(Date.now() - 5 * 86_400_000).toISOString() });
    ses.on(SendEmailCommand).rejects(Object.assign(new Error('Account sending paused'), { name: 'SendingPausedException' }));
    try {
      const failed = await post(r.requestId, 'extend', { reason: 'Many systems to search' });
      expect(failed.statusCode).toBe(500);
      expect((await h.ctx.repo.get(r.requestId)).dueDate).toBe(r.dueDate);
    } finally {
      ses.on(SendEmailCommand).resolves({ MessageId: 'm-2' });
    }

    const again = await post(r.requestId, 'extend', { reason: 'Many systems to search' });
    expect(again.statusCode).toBe(200);
    expect((await h.ctx.repo.get(r.requestId)).dueDate).toBe(r.extendedDueDate);
  });

  it('answers 422 with the statute when the law allows no extension', async () => {
    const r = await putRequest(h, { jurisdiction: 'LGPD', receivedAt: new Date().toISOString() });
    const res = await post(r.requestId, 'extend', { reason: 'complex' });
    expect(res.statusCode).toBe(422);
    expect(errorOf(res)).toMatchObject({ code: 'extension_not_allowed', message: expect.stringContaining('LGPD Art. 19') });
  });

  it('answers 409 for a closed request and for a second extension', async () => {
    const closed = await putRequest(h, { status: 'completed', receivedAt: new Date().toISOString(), closedAt: new Date().toISOString() });
    expect((await post(closed.requestId, 'extend', { reason: 'x' })).statusCode).toBe(409);
    const r = await putRequest(h, { receivedAt: new Date().toISOString() });
    expect((await post(r.requestId, 'extend', { reason: 'x' })).statusCode).toBe(200);
    const again = await post(r.requestId, 'extend', { reason: 'y' });
    expect(again.statusCode).toBe(409);
    expect(errorOf(again).code).toBe('already_extended');
  });

  it('answers 422 to a pause where the configuration does not enable GDPR clock stops, and 409 to resuming a running clock', async () => {
    const r = await putRequest(h, { receivedAt: new Date().toISOString() });
    const pause = await post(r.requestId, 'pause', { reason: 'which account?' });
    expect(pause.statusCode).toBe(422);
    expect(errorOf(pause).code).toBe('clock_stop_not_allowed');
    const resume = await post(r.requestId, 'resume', {});
    expect(resume.statusCode).toBe(409);
    expect(errorOf(resume).code).toBe('not_paused');
  });

  it('pauses and resumes a UK request', async () => {
    const r = await putRequest(h, { jurisdiction: 'UK_GDPR', receivedAt: new Date().toISOString() });
    expect((await post(r.requestId, 'pause', { reason: 'which account?' })).statusCode).toBe(200);
    expect((await post(r.requestId, 'resume', {})).statusCode).toBe(200);
  });

  it('asks for a reason, and refuses viewers', async () => {
    const r = await putRequest(h, { receivedAt: new Date().toISOString() });
    const noReason = await post(r.requestId, 'extend', {});
    expect(noReason.statusCode).toBe(400);
    expect(errorOf(noReason).message).toContain('reason');
    expect((await post(r.requestId, 'extend', { reason: 'x' }, 'viewer')).statusCode).toBe(403);
  });

  it('is listed before the greedy admin-act route, which the local adapter would otherwise match first', () => {
    const ids = FUNCTIONS.map((f) => f.id);
    expect(ids.indexOf('admin-deadline')).toBeLessThan(ids.indexOf('admin-act'));
    expect(FUNCTIONS.find((f) => f.id === 'escalate')).toMatchObject({ schedule: 'rate(1 hour)', entry: 'functions/handlers/scheduled/escalate.ts' });
  });
});

describe('GET /v1/admin/metrics', () => {
  it('answers JSON by default and CSV when asked with Accept: text/csv', async () => {
    const year = String(new Date().getUTCFullYear());
    const json = await metricsHandler(event('GET', '/v1/admin/metrics', '/v1/admin/metrics', { role: 'viewer', query: { year } }), context);
    expect(json.statusCode).toBe(200);
    expect(json.headers!['content-type']).toContain('application/json');
    expect((JSON.parse(json.body!) as { year: number; types: unknown[] }).types).toHaveLength(6);
    const csv = await metricsHandler(
      event('GET', '/v1/admin/metrics', '/v1/admin/metrics', { role: 'viewer', query: { year }, headers: { accept: 'text/csv' } }),
      context,
    );
    expect(csv.statusCode).toBe(200);
    expect(csv.headers!['content-type']).toContain('text/csv');
    expect(csv.body!.split('\n')[0]).toMatch(/^year,type,received,complied_in_whole,complied_in_part,denied,/);
  });

  it('answers the twelve months in JSON, and one CSV row per month with by=month', async () => {
    const year = String(new Date().getUTCFullYear());
    const json = await metricsHandler(event('GET', '/v1/admin/metrics', '/v1/admin/metrics', { role: 'viewer', query: { year } }), context);
    const months = (JSON.parse(json.body!) as { months: Array<{ month: string; received: Record<string, number> }> }).months;
    expect(months.map((m) => m.month)).toEqual(Array.from({ length: 12 }, (_, i) => `${year}-${String(i + 1).padStart(2, '0')}`));
    expect(Object.keys(months[0]!.received)).toEqual(['access', 'erasure', 'portability', 'marketing_opt_out', 'rectification', 'restriction']);
    const csv = await metricsHandler(
      event('GET', '/v1/admin/metrics', '/v1/admin/metrics', { role: 'viewer', query: { year, format: 'csv', by: 'month' } }),
      context,
    );
    expect(csv.headers!['content-disposition']).toContain(`dsar-metrics-${year}-monthly.csv`);
    const lines = csv.body!.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^month,received_access,received_erasure,received_portability,received_marketing_opt_out,received_rectification,received_restriction,share_answered_on_time_access,/);
    expect(lines).toHaveLength(13);
  });

  it('answers 400 to a year that is not one', async () => {
    const res = await metricsHandler(event('GET', '/v1/admin/metrics', '/v1/admin/metrics', { role: 'viewer', query: { year: 'last' } }), context);
    expect(res.statusCode).toBe(400);
  });
});
