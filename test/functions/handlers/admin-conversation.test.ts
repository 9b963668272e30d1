import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { handlerEnvironment, putRequest, startHarness, type Harness } from '../domain/deadline-ops/harness.ts';
import { checked, lambdaContext } from './support.ts';
import { addNote } from '../../../functions/domain/requests/notes.ts';

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

let h: Harness;
let conversation: Handler;
let getRequest: Handler;

beforeAll(async () => {
  h = await startHarness();
  Object.assign(process.env, handlerEnvironment(h));
  conversation = checked((await import('../../../functions/handlers/api/admin-conversation.ts')).handler as unknown as Handler);
  getRequest = checked((await import('../../../functions/handlers/api/admin-get-request.ts')).handler as unknown as Handler);
});
afterAll(async () => {
  await h?.close();
});

const context = lambdaContext();

function event(method: string, path: string, route: string, opts: { body?: unknown; role?: string; staff?: string } = {}): APIGatewayProxyEventV2 {
  const id = /requests\/([^/]+)/.exec(path)?.[1];
  return {
    version: '2.0',
    routeKey: `${method} ${route}`,
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    ...(id ? { pathParameters: { id } } : {}),
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    isBase64Encoded: false,
    requestContext: {
      authorizer: { jwt: { claims: { sub: 'u1', email: opts.staff ?? 'anna@staff.test', 'cognito:groups': `[${opts.role ?? 'approver'}]` }, scopes: null } },
    },
  } as unknown as APIGatewayProxyEventV2;
}

const post = (id: string, route: string, body: unknown, opts: { role?: string; staff?: string } = {}) =>
  conversation(event('POST', `/v1/admin/requests/${id}/${route}`, `/v1/admin/requests/{id}/${route}`, { body, ...opts }), context);

const get = (id: string, role = 'viewer') => getRequest(event('GET', `/v1/admin/requests/${id}`, '/v1/admin/requests/{id}', { role }), context);

const errorOf = (res: APIGatewayProxyStructuredResultV2) => (JSON.parse(res.body!) as { error: { code: string; message: string } }).error;

interface Detail {
  notes: Array<{ at: string; by: string; text: string }>;
  audit: Array<{ actor: string; action: string; detail?: Record<string, unknown> }>;
  timeZone: string;
}

describe('POST /v1/admin/requests/{id}/notes', () => {
  it('keeps a note with the staff member and the time, on the audit trail, and viewers read it', async () => {
    const r = await putRequest(h, { receivedAt: new Date(Date.now() - 2 * 86_400_000).toISOString() });
    const res = await post(r.requestId, 'notes', { text: '  Called the subject; they will send the old address.  ' });
    expect(res.statusCode).toBe(200);
    const body = JSON.parse(res.body!) as Detail;
    expect(body.notes).toEqual([{ at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/), by: 'anna@staff.test', text: 'Called the subject; they will send the old address.' }]);
    expect(body.audit.filter((e) => e.action === 'note.added')).toEqual([
      expect.objectContaining({ actor: 'anna@staff.test', detail: { text: 'Called the subject; they will send the old address.' } }),
    ]);
    expect(body.timeZone).toBe('Europe/Oslo');

    const read = JSON.parse((await get(r.requestId, 'viewer')).body!) as Detail;
    expect(read.notes.map((n) => n.text)).toEqual(['Called the subject; they will send the old address.']);
  });

  it('lists notes oldest first, each with its author', async () => {
    const r = await putRequest(h, { receivedAt: new Date(Date.now() - 2 * 86_400_000).toISOString() });
    h.clock.at = new Date('2026-01-02T10:00:00Z');
    await addNote(h.ctx, r.requestId, 'bo@staff.test', 'second');
    h.clock.at = new Date('2026-01-02T09:00:00Z');
    await addNote(h.ctx, r.requestId, 'anna@staff.test', 'first');
    const res = await get(r.requestId);
    expect((JSON.parse(res.body!) as Detail).notes.map((n) => [n.at, n.by, n.text])).toEqual([
      ['2026-01-02T09:00:00.000Z', 'anna@staff.test', 'first'],
      ['2026-01-02T10:00:00.000Z', 'bo@staff.test', 'second'],
    ]);
  });

  it('takes notes on a closed request too', async () => {
    const r = await putRequest(h, { receivedAt: new Date(Date.now() - 40 * 86_400_000).toISOString(), status: 'completed', closedAt: new Date().toISOString() });
    expect((await post(r.requestId, 'notes', { text: 'Subject phoned to say thanks.' })).statusCode).toBe(200);
  });

  it('refuses viewers, empty and over-long notes, and unknown requests, writing nothing', async () => {
    const r = await putRequest(h, { receivedAt: new Date(Date.now() - 2 * 86_400_000).toISOString() });
    const viewer = await post(r.requestId, 'notes', { text: 'x' }, { role: 'viewer' });
    expect(viewer.statusCode).toBe(403);
    const empty = await post(r.requestId, 'notes', { text: '   ' });
    expect(empty.statusCode).toBe(400);
    expect(errorOf(empty).message).toContain('text must not be empty');
    const long = await post(r.requestId, 'notes', { text: 'x'.repeat(4001) });
    expect(long.statusCode).toBe(400);
    expect(errorOf(long).message).toContain('at most 4000 characters');
    expect((await post(r.requestId, 'notes', { text: 'x'.repeat(4000) })).statusCode).toBe(200);
    expect((await post(r.requestId, 'notes', { note: 'wrong field' })).statusCode).toBe(400);
    expect((await post('dsar_nosuchrequest1', 'notes', { text: 'x' })).statusCode).toBe(404);

    const trail = await h.ctx.repo.auditTrail(r.requestId);
    expect(trail.filter((e) => e.action === 'note.added').map((e) => (e.detail!.text as string).length)).toEqual([4000]);
  });
});
