/**
 * A request an agent filed, in the domain: the receipt tells the subject and gives the agent a status-only
 * link; the agent's link shows the status and nothing else and cannot reply; staff may accept a power of
 * attorney only where configuration allows it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { SendTaskSuccessCommand, SFNClient, StopExecutionCommand, TaskTimedOut } from '@aws-sdk/client-sfn';
import { parseConfig } from '#commons/config';
import { acceptPowerOfAttorney } from '#domain/agents/power-of-attorney';
import { deny, staffActions } from '#domain/requests/staff';
import { verifyCode } from '#domain/requests/verification';
import { staffView } from '#domain/requests/queries';
import { subjectReply, subjectStatus } from '#domain/requests/subject';
import type { AgentOnRecord } from '#domain/requests/model';
import { recordReceipt } from '#domain/workflow/receipt';
import {
  exampleConfigJson,
  hashToken,
  REQUEST_ID,
  requestRecord,
  SUBJECT_EMAIL,
  testContext,
  tokenLinkIn,
  verificationFor,
  type TestContext,
} from '../../../support/in-memory-context.ts';

const AGENT_EMAIL = 'dana@agents.example.org';
const AGENT: AgentOnRecord = {
  name: 'Dana Agent',
  email: AGENT_EMAIL,
  organisation: 'Privacy Helpers',
  relationship: 'authorised_agent',
  locale: 'nb',
  permission: { key: `requests/${REQUEST_ID}/agent-permission.pdf`, contentType: 'application/pdf', bytes: 1234, sha256: 'a'.repeat(64) },
};
const sfn = mockClient(SFNClient);
let ctx: TestContext;

beforeEach(async () => {
  ctx = testContext();
  sfn.on(SendTaskSuccessCommand).resolves({});
  await ctx.memory.create(requestRecord({ agent: AGENT, verification: verificationFor(REQUEST_ID, '123456') }));
});
afterEach(() => sfn.reset());

describe('the receipt of a request an agent filed', () => {
  it('tells the subject, in the subject’s language, that an agent filed for them and how to object', async () => {
    await recordReceipt(ctx, REQUEST_ID);

    const toSubject = ctx.mail.to(SUBJECT_EMAIL);
    const notice = toSubject.find((m) => m.subject.includes('made for you'))!;
    expect(notice.text).toContain('Agent: “Dana Agent (Privacy Helpers)”');
    expect(notice.text).toContain('do not enter the code');
    expect(notice.text).toContain(ctx.config.organisation.dpo.email);
    // The subject's own acknowledgement still goes to the subject.
    expect(toSubject.some((m) => m.subject.includes('received your request'))).toBe(true);
  });

  it('tells the subject that staff may accept a power of attorney instead of their code, where the configuration allows it', async () => {
    ctx = testContext(parseConfig({ ...exampleConfigJson(), agents: { acceptPowerOfAttorney: true } }));
    await ctx.memory.create(requestRecord({ agent: AGENT, verification: verificationFor(REQUEST_ID, '123456') }));

    await recordReceipt(ctx, REQUEST_ID);

    const notice = ctx.mail.to(SUBJECT_EMAIL).find((m) => m.subject.includes('made for you'))!;
    expect(notice.text).toContain('or once our staff have checked and accepted a power of attorney you gave the agent');
  });

  it('gives the agent, in the agent’s language, a status link of their own and nothing else', async () => {
    await recordReceipt(ctx, REQUEST_ID);

    const toAgent = ctx.mail.to(AGENT_EMAIL);
    expect(toAgent).toHaveLength(1);
    expect(toAgent[0]!.subject).toBe(`Vi har mottatt forespørselen du sendte: ${REQUEST_ID}`);
    const { token } = tokenLinkIn(toAgent[0]!);
    const stored = ctx.memory.stored();
    expect(stored.agentTokenHash).toBe(hashToken(token));
    expect(stored.statusTokenHash).not.toBe(stored.agentTokenHash);
    // Neither the subject's address nor name reaches the agent.
    expect(toAgent[0]!.text).not.toMatch(/alice/i);
  });

  it('sends each mail once when the step is retried', async () => {
    await recordReceipt(ctx, REQUEST_ID);
    const hash = ctx.memory.stored().agentTokenHash;
    await recordReceipt(ctx, REQUEST_ID);

    expect(ctx.mail.to(AGENT_EMAIL)).toHaveLength(1);
    expect(ctx.mail.to(SUBJECT_EMAIL).filter((m) => m.subject.includes('made for you'))).toHaveLength(1);
    expect(ctx.memory.stored().agentTokenHash).toBe(hash);
  });
});

describe('the agent’s status link', () => {
  const agentToken = async () => {
    await recordReceipt(ctx, REQUEST_ID);
    return tokenLinkIn(ctx.mail.to(AGENT_EMAIL)[0]!).token;
  };

  it('shows the status only: no denial reason, no question, no erasure report', async () => {
    const token = await agentToken();
    await ctx.memory.update(REQUEST_ID, {
      status: 'denied',
      closedAt: '2026-03-03T10:00:00.000Z',
      decision: { outcome: 'denied', by: 'staff@example.com', at: '2026-03-03T10:00:00.000Z', reason: 'exemption' },
      erasureReport: { completedAt: '2026-03-03T10:00:00.000Z', systems: [], recipientsNotified: [], notErased: [] },
    });

    const view = await subjectStatus(ctx, REQUEST_ID, token);

    expect(view).toEqual({
      requestId: REQUEST_ID,
      type: 'access',
      status: 'denied',
      receivedDate: requestRecord().receivedDate,
      dueDate: requestRecord().dueDate,
      jurisdiction: requestRecord().jurisdiction,
      timeZone: expect.any(String),
      verified: false,
      viewer: 'agent',
      closedAt: '2026-03-03T10:00:00.000Z',
    });
  });

  it('cannot write to staff in the subject’s name', async () => {
    const token = await agentToken();
    await ctx.memory.update(REQUEST_ID, { status: 'in_progress', verification: { ...verificationFor(REQUEST_ID, '123456'), verifiedAt: '2026-03-02T10:05:00.000Z' } });

    await expect(subjectReply(ctx, REQUEST_ID, token, 'please send the data to me')).rejects.toMatchObject({ status: 403, code: 'agent_link' });
    expect(ctx.memory.actions()).not.toContain('subject.message');
  });

  it('leaves the subject’s own link showing everything it did, marked as the subject’s', async () => {
    await recordReceipt(ctx, REQUEST_ID);
    const subjectToken = tokenLinkIn(ctx.mail.to(SUBJECT_EMAIL).find((m) => m.subject.includes('received your request'))!).token;
    await ctx.memory.update(REQUEST_ID, { status: 'denied', decision: { outcome: 'denied', by: 's', at: '2026-03-03T10:00:00.000Z', reason: 'exemption' } });

    expect(await subjectStatus(ctx, REQUEST_ID, subjectToken)).toMatchObject({ viewer: 'subject', denialReason: 'exemption' });
  });
});

describe('accepting a power of attorney', () => {
  const allowing = () => testContext(parseConfig({ ...exampleConfigJson(), agents: { acceptPowerOfAttorney: true } }));

  it('is refused with 403 where configuration does not accept one (the default), and changes nothing', async () => {
    await ctx.memory.putTaskToken(REQUEST_ID, 'verification', 'tok-1');

    await expect(acceptPowerOfAttorney(ctx, REQUEST_ID, 'staff@example.com')).rejects.toMatchObject({ status: 403, code: 'power_of_attorney_not_accepted' });
    expect(ctx.memory.stored().status).toBe('awaiting_verification');
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
    expect(staffActions(ctx, ctx.memory.stored(), ['approver'])).not.toContain('accept-power-of-attorney');
  });

  it('where allowed, verifies the request on the staff member’s word, completes the verification task and audits it', async () => {
    ctx = allowing();
    await ctx.memory.create(requestRecord({ agent: AGENT, verification: verificationFor(REQUEST_ID, '123456') }));
    await ctx.memory.putTaskToken(REQUEST_ID, 'verification', 'tok-1');
    expect(staffActions(ctx, ctx.memory.stored(), ['approver'])).toContain('accept-power-of-attorney');

    const after = await acceptPowerOfAttorney(ctx, REQUEST_ID, 'staff@example.com');

    expect(after.status).toBe('awaiting_review');
    expect(after.agent!.powerOfAttorneyAcceptedBy).toMatchObject({ by: 'staff@example.com' });
    expect(after.verification!.verifiedAt).toBeDefined();
    expect(sfn.commandCalls(SendTaskSuccessCommand)[0]!.args[0].input.taskToken).toBe('tok-1');
    expect(ctx.memory.events.find((e) => e.action === 'verification.power_of_attorney_accepted')).toMatchObject({ actor: 'staff@example.com' });
  });

  it('where allowed, is undone when the workflow no longer waits', async () => {
    ctx = allowing();
    await ctx.memory.create(requestRecord({ agent: AGENT, verification: verificationFor(REQUEST_ID, '123456') }));
    await ctx.memory.putTaskToken(REQUEST_ID, 'verification', 'tok-1');
    sfn.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'timed out', $metadata: {} }));

    await expect(acceptPowerOfAttorney(ctx, REQUEST_ID, 'staff@example.com')).rejects.toMatchObject({ status: 409 });
    const stored = ctx.memory.stored();
    expect(stored.status).toBe('awaiting_verification');
    expect(stored.agent!.powerOfAttorneyAcceptedBy).toBeUndefined();
    expect(stored.verification!.verifiedAt).toBeUndefined();
  });

  it('is refused on a request no agent filed', async () => {
    ctx = allowing();
    await ctx.memory.create(requestRecord({ verification: verificationFor(REQUEST_ID, '123456') }));
    await expect(acceptPowerOfAttorney(ctx, REQUEST_ID, 'staff@example.com')).rejects.toMatchObject({ status: 409 });
  });
});

describe('the agent in the staff view', () => {
  it('is masked for viewers where the configuration masks the subject, and shown in full to approvers', () => {
    const masking = testContext(parseConfig({ ...exampleConfigJson(), console: { maskSubjectForViewers: true } }));
    const r = requestRecord({ agent: AGENT });

    expect(staffView(masking, r, ['viewer']).agent).toMatchObject({ name: 'D. A.', email: 'd•••@agents.example.org', relationship: 'authorised_agent' });
    expect(staffView(masking, r, ['approver']).agent).toMatchObject({ name: 'Dana Agent', email: AGENT_EMAIL });
  });
});

describe('denying an agent’s request before the subject verified', () => {
  const EXECUTION = 'arn:aws:states:eu-north-1:123456789012:execution:dsar:' + REQUEST_ID;
  beforeEach(async () => {
    sfn.on(StopExecutionCommand).resolves({});
    await ctx.memory.update(REQUEST_ID, { executionArn: EXECUTION });
  });

  it('is offered to staff while the request waits for the code', () => {
    expect(staffActions(ctx, ctx.memory.stored(), ['approver', 'viewer'])).toContain('deny');
    expect(staffActions(ctx, requestRecord({ verification: verificationFor(REQUEST_ID, '123456') }), ['approver', 'viewer'])).not.toContain('deny');
  });

  it('for an insufficient permission, stops the run waiting for the code, closes the request as denied and tells the subject why', async () => {
    const out = await deny(ctx, REQUEST_ID, 'staff@example.com', 'agent_permission_insufficient', 'The letter is not signed.');

    expect(out).toMatchObject({ status: 'denied', decision: { outcome: 'denied', by: 'staff@example.com', reason: 'agent_permission_insufficient' } });
    expect(sfn.commandCalls(StopExecutionCommand).map((c) => c.args[0].input.executionArn)).toEqual([EXECUTION]);
    expect(ctx.memory.events.find((e) => e.action === 'review.denied')).toMatchObject({ actor: 'staff@example.com', detail: { reason: 'agent_permission_insufficient', beforeVerification: true } });
    const mail = ctx.mail.to(SUBJECT_EMAIL);
    expect(mail).toHaveLength(1);
    expect(mail[0]!.text).toContain('The agent’s signed permission does not show that the person gave them authority to make this request.');
    expect(ctx.mail.to(AGENT_EMAIL)).toEqual([]);
    // A code entered afterwards changes nothing.
    await expect(verifyCode(ctx, REQUEST_ID, '123456')).rejects.toMatchObject({ status: 409 });
    expect(ctx.memory.stored().status).toBe('denied');
  });

  it('is refused for any other reason, and for a request no agent filed, changing nothing', async () => {
    await expect(deny(ctx, REQUEST_ID, 'staff@example.com', 'excessive')).rejects.toMatchObject({ status: 409, code: 'not_verified' });
    await ctx.memory.create(requestRecord({ requestId: 'dsar_test0000000000009', verification: verificationFor('dsar_test0000000000009', '123456') }));
    await expect(deny(ctx, 'dsar_test0000000000009', 'staff@example.com', 'agent_permission_insufficient')).rejects.toMatchObject({ status: 409, code: 'not_verified' });

    expect(ctx.memory.stored().status).toBe('awaiting_verification');
    expect(ctx.memory.stored().decision).toBeUndefined();
    expect(sfn.commandCalls(StopExecutionCommand)).toEqual([]);
    expect(ctx.mail.sent).toEqual([]);
  });

  it('is undone when the run cannot be stopped, so the subject can still verify', async () => {
    sfn.on(StopExecutionCommand).rejects(new Error('Step Functions is down'));

    await expect(deny(ctx, REQUEST_ID, 'staff@example.com', 'agent_permission_insufficient')).rejects.toThrow('Step Functions is down');

    expect(ctx.memory.stored()).toMatchObject({ status: 'awaiting_verification' });
    expect(ctx.memory.stored().decision).toBeUndefined();
    expect(ctx.mail.sent).toEqual([]);
  });
});
