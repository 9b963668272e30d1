/**
 * An access request end to end on the real embedded runtime: intake, verification by emailed code,
 * staff approval, fan-out collection, assembly in S3, the completion email and the download.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRuntime, type TestRuntime } from '../support/runtime.ts';
import { releasePackage } from '../support/release.ts';
import { unzipToText } from '../support/zip.ts';
import { ALICE, demoPeople } from '../../infra/local/demo/people.ts';
import { accountItem, callsOf } from '../../infra/local/seed.ts';
import { productRows } from '../../infra/local/postgres.ts';
import { INTAKE_MAX_BODY_BYTES } from '../../functions/handlers/http.ts';

const CROWD = 200;
let rt: TestRuntime;

beforeAll(async () => {
  rt = await startTestRuntime({ crowd: CROWD });
});
afterAll(async () => {
  await rt?.cleanup();
});

async function fileAndVerify(email: string, type = 'access'): Promise<string> {
  const filed = await rt.api('POST', '/v1/requests', { body: { type, email, name: 'Test Subject' } });
  expect(filed.status).toBe(202);
  const id = filed.body.requestId as string;
  const code = await rt.codeFor(id, email);
  const verified = await rt.api('POST', `/v1/requests/${id}/verify`, { body: { code } });
  expect(verified.status).toBe(200);
  await rt.waitForStatus(id, 'awaiting_review');
  return id;
}

describe('an access request for alice@example.com', () => {
  let id: string;
  let files: Map<string, string>;

  it('travels from intake to a downloaded ZIP', async () => {
    id = await fileAndVerify(ALICE.email);
    const approved = await rt.api('POST', `/v1/admin/requests/${id}/approve`, { token: rt.staffToken, body: {} });
    expect(approved.status).toBe(200);
    await releasePackage(rt, id);
    const done = await rt.waitForStatus(id, ['completed', 'awaiting_staff'], 60_000);
    expect(done.request.status).toBe('completed');

    const mail = await rt.waitForMail(ALICE.email, 'Your data is ready');
    const link = /(http:\/\/\S+\/v1\/downloads\/\S+)/.exec(mail.body.text!)![1]!;
    const redirect = await fetch(link, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    const presigned = redirect.headers.get('location')!;
    expect(new URL(presigned).searchParams.get('X-Amz-Expires')).toBe('300');
    const zip = await fetch(presigned);
    expect(zip.status).toBe(200);
    files = await unzipToText(Buffer.from(await zip.arrayBuffer()));
    expect([...files.keys()]).toEqual(expect.arrayContaining(['report.html', 'data.json']));
  }, 90_000);

  it('holds every one of her records from both internal stores', () => {
    const data = JSON.parse(files.get('data.json')!);
    const byConnector = new Map<string, any[]>();
    for (const system of data.systems) {
      byConnector.set(system.connectorId, system.objects.flatMap((o: any) => o.records));
    }
    const account = byConnector.get('accounts')!;
    expect(account).toHaveLength(1);
    expect(account[0].data).toEqual(accountItem(ALICE));
    const expectedCalls = callsOf(ALICE).flatMap((o) => o.lines.map((l) => l.id)).sort();
    expect(byConnector.get('calls')!.map((r) => r.data.id).sort()).toEqual(expectedCalls);
    expect(files.get('csv/calls/call.csv')!.trim().split('\n')).toHaveLength(expectedCalls.length + 1);
  });

  it('holds her data from every SaaS sandbox, as many records as each sandbox holds for her', () => {
    const data = JSON.parse(files.get('data.json')!);
    // Records per system, leaving out objects reached through a link rather than by the email itself
    // (the sandboxes count only the latter).
    const count = (id: string, linked: string[] = []) =>
      data.systems
        .find((s: any) => s.connectorId === id)
        ?.objects.filter((o: any) => !linked.includes(o.object))
        .reduce((n: number, o: any) => n + o.records.length, 0) ?? 0;
    expect(data.systems.map((s: any) => s.connectorId).sort()).toEqual(['accounts', 'calls', 'google-analytics', 'hubspot', 'product-db', 'salesforce', 'stripe']);
    const stores = rt.sandboxControl.stores;
    const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
    expect(count('salesforce', ['Account', 'Individual'])).toBe(total(stores.salesforce.countFor(ALICE.email)));
    expect(count('stripe')).toBe(total(stores.stripe.countFor(ALICE.email)));
    expect(count('hubspot')).toBe(total(stores.hubspot.countFor(ALICE.email)));
    expect(count('google-analytics')).toBe(1);
  });

  it('holds her rows from the product database, table by table with their data categories', () => {
    const data = JSON.parse(files.get('data.json')!);
    const product = data.systems.find((s: any) => s.connectorId === 'product-db');
    const got = Object.fromEntries(product.objects.map((o: any) => [o.object, { category: o.category, ids: o.records.map((r: any) => String(r.id)).sort() }]));
    // What the seed wrote for her: her account, the rows that reference it, her tickets by email.
    const rows = productRows(demoPeople(CROWD));
    const hers = (table: string, match: (r: Record<string, unknown>) => boolean) => rows[table]!.filter(match).map((r) => String(r.id)).sort();
    const meetings = hers('meetings', (r) => r.owner_id === ALICE.accountId);
    expect(meetings.length).toBeGreaterThan(1);
    expect(got).toEqual({
      accounts: { category: 'user.account', ids: [ALICE.accountId] },
      support_tickets: { category: 'user.content', ids: hers('support_tickets', (r) => r.requester_email === ALICE.email) },
      meetings: { category: 'user.content', ids: meetings },
      meeting_participants: { category: 'user.behavior', ids: hers('meeting_participants', (r) => r.account_id === ALICE.accountId) },
      call_records: { category: 'user.behavior', ids: hers('call_records', (r) => r.account_id === ALICE.accountId) },
    });
  });

  it('holds no record of anyone else', () => {
    const everything = [...files.values()].join('\n');
    for (const other of demoPeople(CROWD).slice(1)) {
      expect(everything).not.toContain(other.accountId + '"');
      expect(everything).not.toContain(other.email);
    }
  });

  it('states the Art. 15 information and names the supervisory authority in the report', () => {
    const html = files.get('report.html')!;
    expect(html).toContain('Datatilsynet');
    expect(html).toContain('Salesforce');
    expect(html).toContain('Why we have it');
  });

  it('keeps an audit trail of every step with its actor', async () => {
    const detail = (await rt.api('GET', `/v1/admin/requests/${id}`, { token: rt.staffToken })).body;
    const actions = detail.audit.map((a: any) => a.action);
    expect(actions).toEqual(
      expect.arrayContaining(['request.filed', 'request.acknowledged', 'verification.succeeded', 'review.approved', 'package.assembled', 'release.requested', 'package.released', 'request.completed']),
    );
    expect(detail.audit.find((a: any) => a.action === 'review.approved').actor).toBe('approver@localhost');
    expect(JSON.stringify(detail)).not.toMatch(/codeHash|statusTokenHash|salt/);
  });

  it('answers 403 for a download with a wrong token', async () => {
    const res = await rt.api('GET', `/v1/downloads/${id}?token=wrong`);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('invalid_token');
  });
});

describe('a denied request', () => {
  it('is closed, and the subject is told the reason and the right to complain', async () => {
    const id = await fileAndVerify('carol@example.com');
    const denied = await rt.api('POST', `/v1/admin/requests/${id}/deny`, {
      token: rt.staffToken,
      body: { reason: 'manifestly_unfounded', note: 'Repeated the same request every day.' },
    });
    expect(denied.status).toBe(200);
    await rt.waitForStatus(id, 'denied');
    const mail = await rt.waitForMail('carol@example.com', 'was declined');
    expect(mail.body.text).toContain('manifestly unfounded');
    expect(mail.body.text).toContain('Datatilsynet');
    const detail = (await rt.api('GET', `/v1/admin/requests/${id}`, { token: rt.staffToken })).body;
    expect(detail.connectors).toEqual([]);
  }, 60_000);
});

describe('an access request whose connector keeps failing', () => {
  it('waits for staff, and completes as partial only with their reason, which the package states', async () => {
    // Stripe rejects the credentials: not retried by the workflow, surfaced to staff.
    rt.sandboxControl.faults.set('stripe', { failNext: { match: '/v1/', status: 401, count: 10_000 } });
    try {
      const id = await fileAndVerify('bob@example.com');
      await rt.api('POST', `/v1/admin/requests/${id}/approve`, { token: rt.staffToken, body: {} });
      const waiting = await rt.waitForStatus(id, ['awaiting_staff', 'completed'], 60_000);
      expect(waiting.request.status).toBe('awaiting_staff');
      expect(waiting.connectors.find((c: any) => c.connectorId === 'stripe')).toMatchObject({ status: 'failed', error: { type: 'ConnectorAuthFailed' } });
      expect((await rt.mails('bob@example.com')).some((m) => m.subject.includes('Your data is ready'))).toBe(false);

      const noReason = await rt.api('POST', `/v1/admin/requests/${id}/accept-partial`, { token: rt.staffToken, body: { reason: ' ' } });
      expect(noReason.status).toBe(400);
      const reason = 'Stripe credentials were revoked; billing data will follow in a separate answer.';
      expect((await rt.api('POST', `/v1/admin/requests/${id}/accept-partial`, { token: rt.staffToken, body: { reason } })).status).toBe(200);
      await releasePackage(rt, id);
      const done = await rt.waitForStatus(id, 'completed_partial', 60_000);
      expect(done.audit.find((a: any) => a.action === 'connectors.accepted_partial')).toMatchObject({ actor: 'approver@localhost', detail: { reason, missing: ['stripe'] } });

      const mail = await rt.waitForMail('bob@example.com', 'Your data is ready');
      expect(mail.body.text).toContain('could not be included: Stripe (payments).');
      const link = /(http:\/\/\S+\/v1\/downloads\/\S+)/.exec(mail.body.text!)![1]!;
      const zip = await unzipToText(Buffer.from(await (await fetch(link)).arrayBuffer()));
      expect(JSON.parse(zip.get('data.json')!).notIncluded).toEqual([{ connectorId: 'stripe', displayName: 'Stripe (payments)', reason }]);
      expect(zip.get('report.html')).toContain('We could not include the data from these systems: Stripe (payments).');
    } finally {
      rt.sandboxControl.faults.reset('stripe');
    }
  }, 120_000);
});

describe('verification', () => {
  it('locks after five wrong codes until a new code is asked for', async () => {
    const filed = await rt.api('POST', '/v1/requests', { body: { type: 'access', email: 'bob@example.com' } });
    const id = filed.body.requestId;
    const code = await rt.codeFor(id, 'bob@example.com');
    const wrong = code === '000000' ? '111111' : '000000';
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push((await rt.api('POST', `/v1/requests/${id}/verify`, { body: { code: wrong } })).status);
    expect(answers).toEqual([400, 400, 400, 400, 429]);
    const right = await rt.api('POST', `/v1/requests/${id}/verify`, { body: { code } });
    expect(right.status).toBe(429);
    expect(right.body.error.code).toBe('too_many_attempts');
  }, 60_000);

  it('does not accept the code of another request', async () => {
    const a = (await rt.api('POST', '/v1/requests', { body: { type: 'portability', email: 'alice@example.com' } })).body.requestId;
    const b = (await rt.api('POST', '/v1/requests', { body: { type: 'erasure', email: 'alice@example.com' } })).body.requestId;
    const codeA = await rt.codeFor(a, 'alice@example.com');
    const codeB = await rt.codeFor(b, 'alice@example.com');
    if (codeA === codeB) return; // one in a million: the codes happen to be equal
    const res = await rt.api('POST', `/v1/requests/${b}/verify`, { body: { code: codeA } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('wrong_code');
  }, 60_000);
});

describe('intake', () => {
  it('answers the same for an address with data, one without, and a duplicate', async () => {
    const answers = [];
    for (const email of ['alice@example.com', 'nobody-here@example.com', 'nobody-here@example.com']) {
      const res = await rt.api('POST', '/v1/requests', { body: { type: 'access', email } });
      answers.push({ status: res.status, keys: Object.keys(res.body).sort(), status2: res.body.status });
    }
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
  });

  it('rejects bad input with a JSON 4xx and stores nothing', async () => {
    const before = (await rt.api('GET', '/v1/admin/requests?limit=100', { token: rt.staffToken })).body.items.length;
    const cases: Array<[string, { raw?: string; body?: unknown; headers?: Record<string, string> }, number, string]> = [
      ['malformed JSON', { raw: '{"type": "access",' }, 400, 'malformed_json'],
      ['unknown type', { body: { type: 'objection_to_profiling', email: 'a@example.com' } }, 400, 'invalid_request'],
      ['a rectification that says nothing', { body: { type: 'rectification', email: 'a@example.com' } }, 400, 'rectification_empty'],
      ['invalid email', { body: { type: 'access', email: 'not-an-email' } }, 400, 'invalid_request'],
      // The intake reads more than other routes (an agent's permission rides in it), and no more than that.
      ['body over the intake limit', { body: { type: 'access', email: 'a@example.com', name: 'x'.repeat(INTAKE_MAX_BODY_BYTES) } }, 413, 'body_too_large'],
    ];
    for (const [what, opts, status, code] of cases) {
      const res = await rt.api('POST', '/v1/requests', opts);
      expect({ what, status: res.status, code: res.body?.error?.code }).toEqual({ what, status, code });
      expect(res.body.error.message).toBeTruthy();
    }
    const after = (await rt.api('GET', '/v1/admin/requests?limit=100', { token: rt.staffToken })).body.items.length;
    expect(after).toBe(before);
  });

  it('answers 404 for an unknown request id and 403 for a wrong status token', async () => {
    expect((await rt.api('GET', '/v1/requests/dsar_doesnotexist000?token=x')).status).toBe(404);
    expect((await rt.api('POST', '/v1/requests/dsar_doesnotexist000/verify', { body: { code: '123456' } })).status).toBe(404);
    const id = (await rt.api('POST', '/v1/requests', { body: { type: 'access', email: 'carol@example.com' } })).body.requestId;
    const res = await rt.api('GET', `/v1/requests/${id}?token=wrong`);
    expect(res.status).toBe(403);
    expect((await rt.api('GET', `/v1/requests/${id}`)).status).toBe(403);
  });

  it('refuses to approve a request that is not waiting for review', async () => {
    const id = (await rt.api('POST', '/v1/requests', { body: { type: 'access', email: 'dora@example.com' } })).body.requestId;
    const res = await rt.api('POST', `/v1/admin/requests/${id}/approve`, { token: rt.staffToken, body: {} });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/awaiting_verification/);
  });

  it('refuses staff routes without a token, and approvals from a viewer', async () => {
    expect((await rt.api('GET', '/v1/admin/requests')).status).toBe(401);
    expect((await rt.api('GET', '/v1/admin/requests', { token: 'made-up' })).status).toBe(401);
    expect((await rt.api('GET', '/v1/admin/requests', { token: rt.viewerToken })).status).toBe(200);
    const res = await rt.api('POST', '/v1/admin/requests/dsar_doesnotexist000/approve', { token: rt.viewerToken, body: {} });
    expect(res.status).toBe(403);
  });
});
