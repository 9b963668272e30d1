import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { hashToken } from '#commons/tokens';
import { subjectReply, subjectStatus } from '../../../../functions/domain/requests/subject.ts';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { handlerEnvironment, putRequest, startHarness, type Harness } from '../../../support/dynalite-harness.ts';
import { checked, lambdaContext } from '../support.ts';
import { addNote } from '../../../../functions/domain/requests/notes.ts';

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

let h: Harness;
let conversation: Handler;
let getRequest: Handler;
const ses = mockClient(SESv2Client);

beforeAll(async () => {
  h = await startHarness();
  Object.assign(process.env, handlerEnvironment(h));
  ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
  conversation = checked((await import('../../../../functions/handlers/api/admin-conversation.ts')).handler as unknown as Handler);
  getRequest = checked((await import('../../../../functions/handlers/api/admin-get-request.ts')).handler as unknown as Handler);
});
afterAll(async () => {
  ses.restore();
  await h?.close();
});
beforeEach(() => {
  ses.resetHistory();
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
  request: { awaitingSubject?: { since: string; at: string; by: string } };
  thread: Array<{ at: string; from: 'staff' | 'subject'; by?: string; text?: string; removedAt?: string; question?: boolean }>;
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

/** An open request whose subject confirmed their address, with a status link token `tok`, in `locale`. */
async function verifiedRequest(locale?: string) {
  const r = await putRequest(h, { receivedAt: new Date(Date.now() - 2 * 86_400_000).toISOString() });
  await h.ctx.repo.update(r.requestId, {
    statusTokenHash: hashToken('tok'),
    ...(locale ? { locale } : {}),
    verification: { codeHash: 'x', codesSent: 1, expiresAt: r.receivedAt, attempts: 0, sentAt: r.receivedAt, verifiedAt: r.receivedAt },
  });
  return r;
}

const sentMails = () => ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input);

describe('POST /v1/admin/requests/{id}/messages', () => {
  it("mails the subject's verified address in their language, quoting staff's words escaped, and keeps the message in the thread", async () => {
    const r = await verifiedRequest('nb-NO');
    const text = 'Hei! Gjelder det kontoen <b>sam@old.example</b> & den nye?\nSvar gjerne i dag.';
    const res = await post(r.requestId, 'messages', { text });
    expect(res.statusCode).toBe(200);
    const mails = sentMails();
    expect(mails).toHaveLength(1);
    expect(mails[0]!.Destination!.ToAddresses).toEqual(['subject@example.test']);
    const content = mails[0]!.Content!.Simple!;
    expect(content.Subject!.Data).toBe(`En melding om forespørselen din ${r.requestId}`);
    expect(content.Body!.Text!.Data).toContain(text);
    expect(content.Body!.Text!.Data).toContain('Du kan svare på siden for forespørselen din');
    expect(content.Body!.Html!.Data).toContain('&lt;b&gt;sam@old.example&lt;/b&gt; &amp; den nye?<br>Svar gjerne i dag.');
    expect(content.Body!.Html!.Data).not.toContain('<b>sam@');
    expect(content.Body!.Html!.Data).toContain('<html lang="nb-NO">');

    const body = JSON.parse(res.body!) as Detail;
    expect(body.thread).toEqual([{ at: expect.any(String), from: 'staff', by: 'anna@staff.test', text, question: false }]);
    // A message that asks nothing leaves nobody waiting.
    expect(body.request.awaitingSubject).toBeUndefined();
  });

  it("marks a question as waiting for the subject, shows it on their status page, and the subject's reply joins the thread and ends the wait", async () => {
    const r = await verifiedRequest();
    const res = await post(r.requestId, 'messages', { text: 'Which of your two accounts do you mean?', question: true });
    expect(res.statusCode).toBe(200);
    const asked = JSON.parse(res.body!) as Detail;
    expect(asked.request.awaitingSubject).toEqual({ since: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), at: expect.any(String), by: 'anna@staff.test' });
    expect(sentMails()[0]!.Content!.Simple!.Subject!.Data).toBe(`A question about your request ${r.requestId}`);

    const status = await subjectStatus(h.ctx, r.requestId, 'tok');
    expect(status.waitingForSubject).toEqual({ since: asked.request.awaitingSubject!.since, asked: 'Which of your two accounts do you mean?', clockStopped: false });

    // The subject answers after the question was sent (the handler ran on the real clock).
    h.clock.at = new Date(Date.now() + 1000);
    await subjectReply(h.ctx, r.requestId, 'tok', 'The one under sam@old.example.');
    const after = JSON.parse((await get(r.requestId)).body!) as Detail;
    expect(after.thread.map((m) => [m.from, m.text])).toEqual([
      ['staff', 'Which of your two accounts do you mean?'],
      ['subject', 'The one under sam@old.example.'],
    ]);
    expect(after.request.awaitingSubject).toBeUndefined();
    expect((await subjectStatus(h.ctx, r.requestId, 'tok')).waitingForSubject).toBeUndefined();
  });

  it('sends nothing and records nothing to a subject who has not confirmed their address, on a closed request, or for viewers', async () => {
    const unverified = await putRequest(h, { receivedAt: new Date(Date.now() - 2 * 86_400_000).toISOString(), status: 'awaiting_verification' });
    const refused = await post(unverified.requestId, 'messages', { text: 'Hello?' });
    expect(refused.statusCode).toBe(409);
    expect(errorOf(refused).code).toBe('not_verified');

    const closed = await verifiedRequest();
    await h.ctx.repo.update(closed.requestId, { status: 'completed', closedAt: new Date().toISOString() });
    const late = await post(closed.requestId, 'messages', { text: 'One more thing' });
    expect(late.statusCode).toBe(409);
    expect(errorOf(late).code).toBe('request_closed');

    const open = await verifiedRequest();
    expect((await post(open.requestId, 'messages', { text: 'x' }, { role: 'viewer' })).statusCode).toBe(403);
    expect(sentMails()).toHaveLength(0);
    for (const id of [unverified.requestId, closed.requestId, open.requestId]) {
      expect((await h.ctx.repo.auditTrail(id)).filter((e) => e.action === 'staff.message')).toEqual([]);
    }
  });

  it('bounds the size of a message and refuses an empty one', async () => {
    const r = await verifiedRequest();
    const long = await post(r.requestId, 'messages', { text: 'x'.repeat(4001) });
    expect(long.statusCode).toBe(400);
    expect(errorOf(long).message).toContain('at most 4000 characters');
    expect((await post(r.requestId, 'messages', { text: ' \n ' })).statusCode).toBe(400);
    expect((await post(r.requestId, 'messages', { text: 'ok', question: 'yes' })).statusCode).toBe(400);
    expect(sentMails()).toHaveLength(0);
  });

  it('sends at most ten messages to one subject in 24 hours', async () => {
    const r = await verifiedRequest();
    // Nine sent a day ago and one an hour ago: the day-old ones no longer count.
    for (let i = 0; i < 9; i++) await h.ctx.repo.audit(r.requestId, 'anna@staff.test', 'staff.message', { message: `old ${i}`, question: false }, new Date(Date.now() - 25 * 3_600_000));
    await h.ctx.repo.audit(r.requestId, 'anna@staff.test', 'staff.message', { message: 'recent', question: false }, new Date(Date.now() - 3_600_000));
    for (let i = 0; i < 9; i++) expect((await post(r.requestId, 'messages', { text: `message ${i}` })).statusCode).toBe(200);
    const refused = await post(r.requestId, 'messages', { text: 'one too many' });
    expect(refused.statusCode).toBe(429);
    expect(errorOf(refused).code).toBe('too_many_messages');
    expect(sentMails()).toHaveLength(9);
  });

  it('records nothing when the mail cannot be sent, so the thread never shows a message the subject did not get', async () => {
    const r = await verifiedRequest();
    ses.on(SendEmailCommand).rejects(Object.assign(new Error('Account sending paused'), { name: 'SendingPausedException' }));
    try {
      expect((await post(r.requestId, 'messages', { text: 'Are you there?', question: true })).statusCode).toBe(500);
    } finally {
      ses.on(SendEmailCommand).resolves({ MessageId: 'm-2' });
    }
    const detail = JSON.parse((await get(r.requestId)).body!) as Detail;
    expect(detail.thread).toEqual([]);
    expect(detail.request.awaitingSubject).toBeUndefined();
  });

  it("loses staff's words with the subject's: the retention sweep's removal takes the whole thread's text", async () => {
    const r = await verifiedRequest();
    await post(r.requestId, 'messages', { text: 'About sam@old.example' });
    h.clock.at = new Date(Date.now() + 1000);
    await subjectReply(h.ctx, r.requestId, 'tok', 'Yes, that is me.');
    expect(await h.ctx.repo.forgetSubjectMessages(r.requestId, new Date('2027-06-01T00:00:00Z'))).toBe(2);
    const detail = JSON.parse((await get(r.requestId)).body!) as Detail;
    expect(detail.thread).toEqual([
      { at: expect.any(String), from: 'staff', by: 'anna@staff.test', question: false, removedAt: '2027-06-01T00:00:00.000Z' },
      { at: expect.any(String), from: 'subject', removedAt: '2027-06-01T00:00:00.000Z' },
    ]);
  });
});
