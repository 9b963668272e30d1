/**
 * An authorised agent files for carol, end to end on the real embedded runtime: the signed permission
 * lands in the private documents bucket, carol is told and verifies by her own address, the agent's link
 * shows the status only, staff open the permission through an audited short-lived link, and the answer
 * goes to carol alone. A permission that does not hold is denied with its own reason. The attacks (the
 * agent's token at the download, enumeration, disguised documents) are in test/security/agents.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRuntime, type TestRuntime } from '../support/runtime.ts';
import { agentInput, pdfDocument } from '../support/agent-documents.ts';
import { CAROL } from '../../infra/local/demo/people.ts';

const AGENT = 'dana@agents.example.org';
let rt: TestRuntime;

beforeAll(async () => {
  rt = await startTestRuntime({ crowd: 10 });
}, 120_000);
afterAll(async () => {
  await rt?.cleanup();
});

const tokenIn = (text: string | undefined) => new URL(/https?:\/\/\S+\/request\/status\?\S+/.exec(text ?? '')![0]).searchParams.get('token')!;

describe('an agent files for carol', () => {
  let id: string;
  let agentToken: string;
  let permissionUrl: string;

  it('is answered like any filing, and carol is told an agent filed for her, with her own code', async () => {
    const filed = await rt.api('POST', '/v1/requests', { body: { type: 'access', email: CAROL.email, name: 'Carol Dahl', agent: agentInput({ locale: 'en' }) } });
    expect(filed.status).toBe(202);
    id = filed.body.requestId;

    const notice = await rt.waitForMail(CAROL.email, `made for you: ${id}`);
    expect(notice.body.text).toContain('Agent: “Dana Agent (Privacy Helpers)”');
    expect(notice.body.text).toContain('do not enter the code');
    await rt.codeFor(id, CAROL.email);

    const ack = await rt.waitForMail(AGENT, `We received the request you made: ${id}`);
    agentToken = tokenIn(ack.body.text);
    // No code, and nothing of carol's, in the agent's mail.
    expect(ack.body.text).not.toMatch(/\b\d{6}\b|carol/i);
  }, 60_000);

  it('shows the agent the status only, and no code form is theirs to use', async () => {
    const res = await rt.api('GET', `/v1/requests/${id}?token=${encodeURIComponent(agentToken)}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ requestId: id, status: 'awaiting_verification', viewer: 'agent', verified: false });
    expect(Object.keys(res.body).sort()).toEqual(['dueDate', 'jurisdiction', 'receivedDate', 'requestId', 'status', 'timeZone', 'type', 'verified', 'viewer']);
  });

  it('lets staff see the agent and open the permission through an audited short-lived link', async () => {
    const detail = (await rt.api('GET', `/v1/admin/requests/${id}`, { token: rt.staffToken })).body;
    expect(detail.request.agent).toMatchObject({ name: 'Dana Agent', email: AGENT, relationship: 'authorised_agent', permission: { contentType: 'application/pdf', bytes: pdfDocument().length } });
    // Accepting a power of attorney is off by default: the subject's own code is the way.
    expect(detail.actions).not.toContain('accept-power-of-attorney');

    const link = await rt.api('GET', `/v1/admin/requests/${id}/agent-permission`, { token: rt.staffToken });
    expect(link.status).toBe(200);
    permissionUrl = link.body.url;
    const doc = await fetch(link.body.url);
    expect(doc.status).toBe(200);
    expect(Buffer.from(await doc.arrayBuffer()).equals(pdfDocument())).toBe(true);
    const after = (await rt.api('GET', `/v1/admin/requests/${id}`, { token: rt.staffToken })).body;
    expect(after.audit.find((e: any) => e.action === 'agent.permission_opened')?.actor).toBe('approver@localhost');
  });

  it('is verified by carol with her own code, and answered to carol only', async () => {
    const verified = await rt.api('POST', `/v1/requests/${id}/verify`, { body: { code: await rt.codeFor(id, CAROL.email) } });
    expect(verified.status).toBe(200);
    await rt.waitForStatus(id, 'awaiting_review');
    await rt.approve(id, 'access');
    await rt.waitForStatus(id, 'completed', 60_000);

    // Carol is in none of the demo systems: she is told so in words, with no package to download.
    const answer = await rt.waitForMail(CAROL.email, `We hold no personal data about you (${id})`);
    expect(answer.body.text).not.toContain('/v1/downloads/');
    // The agent's inbox holds the acknowledgement, and nothing else.
    const agentMails = await rt.mails(AGENT);
    expect(agentMails.map((m) => m.subject)).toEqual([`We received the request you made: ${id}`]);

    const status = await rt.api('GET', `/v1/requests/${id}?token=${encodeURIComponent(agentToken)}`);
    expect(status.body).toMatchObject({ status: 'completed', viewer: 'agent', verified: true });
  }, 90_000);

  it('loses the signed permission when carol later has her data erased, and the erasure says so', async () => {
    const erasure = await rt.fileAndVerify(CAROL.email, 'erasure');
    await rt.approve(erasure, 'erasure');
    const done = await rt.waitForStatus(erasure, ['completed', 'completed_partial'], 90_000);

    // The document is gone from the documents bucket (the earlier presigned link now finds nothing)...
    expect((await fetch(permissionUrl)).status).toBe(404);
    const link = await rt.api('GET', `/v1/admin/requests/${id}/agent-permission`, { token: rt.staffToken });
    expect(link.status).toBe(410);
    // ...its size and hash stay on the earlier request as evidence, and both trails say what happened.
    const earlier = (await rt.api('GET', `/v1/admin/requests/${id}`, { token: rt.staffToken })).body;
    expect(earlier.request.agent.permission).toMatchObject({ bytes: pdfDocument().length, sha256: expect.any(String), deletedFor: { reason: 'erasure', erasureRequestId: erasure } });
    expect(earlier.audit.map((e: any) => e.action)).toContain('agent.permission_deleted');
    expect(done.audit.find((e: any) => e.action === 'erasure.earlier_copies_deleted')?.detail).toMatchObject({ agentPermissions: 1 });
    expect(done.request.erasureReport.earlierAgentPermissionsDeleted).toBe(1);
    const report = (await rt.mails(CAROL.email)).find((m) => m.subject.includes(erasure) && m.subject.startsWith('Your data was erased'))!;
    expect(report.body.text).toContain('We also deleted the signed permission an agent gave us for one of your earlier requests.');
  }, 120_000);
});

describe('an agent whose permission does not hold', () => {
  it('is denied with “agent permission insufficient”, told to the subject and not to the agent', async () => {
    const email = 'agent-denied@example.net';
    const filed = await rt.api('POST', '/v1/requests', { body: { type: 'access', email, agent: agentInput({ email: 'eve@agents.example.org' }) } });
    const id = filed.body.requestId as string;
    await rt.api('POST', `/v1/requests/${id}/verify`, { body: { code: await rt.codeFor(id, email) } });
    await rt.waitForStatus(id, 'awaiting_review');

    const denied = await rt.api('POST', `/v1/admin/requests/${id}/deny`, { token: rt.staffToken, body: { reason: 'agent_permission_insufficient' } });
    expect(denied.status).toBe(200);
    await rt.waitForStatus(id, 'denied', 30_000);

    const mail = await rt.waitForMail(email, `Your request ${id} was declined`);
    expect(mail.body.text).toContain('The agent’s signed permission does not show that the person gave them authority to make this request.');
    expect((await rt.mails('eve@agents.example.org')).map((m) => m.subject)).toEqual([`We received the request you made: ${id}`]);
  }, 60_000);

  it('can be denied before the subject entered the code, which then counts for nothing', async () => {
    const email = 'agent-denied-early@example.net';
    const filed = await rt.api('POST', '/v1/requests', { body: { type: 'access', email, agent: agentInput({ email: 'mallory@agents.example.org' }) } });
    const id = filed.body.requestId as string;
    const code = await rt.codeFor(id, email);
    const waiting = await rt.api('GET', `/v1/admin/requests/${id}`, { token: rt.staffToken });
    expect(waiting.body.actions).toContain('deny');

    const other = await rt.api('POST', `/v1/admin/requests/${id}/deny`, { token: rt.staffToken, body: { reason: 'excessive' } });
    expect(other.status).toBe(409);
    const denied = await rt.api('POST', `/v1/admin/requests/${id}/deny`, { token: rt.staffToken, body: { reason: 'agent_permission_insufficient', note: 'The letter is unsigned.' } });
    expect(denied.status).toBe(200);
    expect(denied.body.request.status).toBe('denied');

    expect((await rt.api('POST', `/v1/requests/${id}/verify`, { body: { code } })).status).toBe(409);
    const mail = await rt.waitForMail(email, `Your request ${id} was declined`);
    expect(mail.body.text).toContain('The agent’s signed permission does not show that the person gave them authority to make this request.');
    const detail = (await rt.api('GET', `/v1/admin/requests/${id}`, { token: rt.staffToken })).body;
    expect(detail.request.status).toBe('denied');
    expect(detail.audit.find((e: any) => e.action === 'review.denied').detail).toMatchObject({ beforeVerification: true });
  }, 60_000);
});
