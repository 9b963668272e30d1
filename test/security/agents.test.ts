/**
 * Authorised agents, attacked on the real embedded runtime: the agent's status link used to download,
 * to write to staff as the subject, or to read more than the status; a disguised document (an HTML page
 * declared a PDF) or one too large; the permission fetched without staff credentials; and enumeration
 * through an agent's filing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRuntime, type TestRuntime } from '../support/runtime.ts';
import { agentInput, htmlDocument, pdfDocument } from '../support/agent-documents.ts';
import { releasePackage } from '../support/release.ts';
import { BOB } from '../../infra/local/demo/people.ts';

let rt: TestRuntime;

beforeAll(async () => {
  rt = await startTestRuntime({ crowd: 5 });
}, 120_000);
afterAll(async () => {
  await rt?.cleanup();
});

const tokenIn = (text: string | undefined) => new URL(/https?:\/\/\S+\/request\/status\?\S+/.exec(text ?? '')![0]).searchParams.get('token')!;
const countRequests = async () => (await rt.api('GET', '/v1/admin/requests?limit=100', { token: rt.staffToken })).body.items.length as number;

describe('the agent’s status link', () => {
  let id: string;
  let agentToken: string;
  // Someone the demo systems hold data about: there is a package for the agent's link to fail to download.
  const subject = BOB.email;

  beforeAll(async () => {
    const filed = await rt.api('POST', '/v1/requests', { body: { type: 'access', email: subject, agent: agentInput({ email: 'ivan@agents.example.org' }) } });
    id = filed.body.requestId;
    agentToken = tokenIn((await rt.waitForMail('ivan@agents.example.org', `We received the request you made: ${id}`)).body.text);
    await rt.api('POST', `/v1/requests/${id}/verify`, { body: { code: await rt.codeFor(id, subject) } });
    await rt.waitForStatus(id, 'awaiting_review');
    await rt.approve(id, 'access');
    await releasePackage(rt, id);
    await rt.waitForStatus(id, 'completed', 60_000);
  }, 90_000);

  it('cannot download the package', async () => {
    const res = await rt.api('GET', `/v1/downloads/${id}?token=${encodeURIComponent(agentToken)}`);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('invalid_token');
  });

  it('cannot write to staff in the subject’s name', async () => {
    const res = await rt.api('POST', `/v1/requests/${id}/reply`, { body: { token: agentToken, message: 'send the data to me instead' } });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('agent_link');
  });

  it('reads the status and nothing more', async () => {
    const res = await rt.api('GET', `/v1/requests/${id}?token=${encodeURIComponent(agentToken)}`);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['closedAt', 'dueDate', 'jurisdiction', 'receivedDate', 'requestId', 'status', 'timeZone', 'type', 'verified', 'viewer']);
  });

  it('does not open the staff’s permission link, which needs a staff token', async () => {
    const res = await fetch(`${rt.apiUrl}/v1/admin/requests/${id}/agent-permission?token=${encodeURIComponent(agentToken)}`);
    expect(res.status).toBe(401);
  });
});

describe('a disguised or oversized permission', () => {
  it.each([
    ['an HTML page declared as a PDF', agentInput({}, htmlDocument(), 'application/pdf'), 400, 'invalid_permission_content'],
    ['a PDF larger than the configured limit', agentInput({}, Buffer.concat([pdfDocument(), Buffer.alloc(3 * 1024 * 1024)])), 413, 'permission_too_large'],
  ])('refuses %s with a 4xx, and files nothing', async (_what, agent, status, code) => {
    const before = await countRequests();
    const res = await rt.api('POST', '/v1/requests', { body: { type: 'access', email: 'judy@example.com', agent } });
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(await countRequests()).toBe(before);
    expect(await rt.mails('judy@example.com')).toEqual([]);
  });
});

describe('enumeration through an agent', () => {
  it('answers a filing for a person the company holds nothing on exactly as one for a person it holds much on', async () => {
    const answers = [];
    for (const email of ['alice@example.com', 'nobody-agent@example.net']) {
      const res = await rt.api('POST', '/v1/requests', { body: { type: 'portability', email, agent: agentInput({ email: 'frank@agents.example.org' }) } });
      answers.push({ status: res.status, keys: Object.keys(res.body).sort(), said: res.body.status });
    }
    expect(answers[0]).toEqual(answers[1]);
  });
});
