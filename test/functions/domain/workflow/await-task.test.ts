import { beforeEach, describe, expect, it } from 'vitest';
import { awaitTask } from '#domain/workflow/await-task';
import type { ConnectorOutcome } from '#domain/requests/model';
import { REQUEST_ID, SUBJECT_EMAIL, requestRecord, testContext, verificationFor, type TestContext } from '../../../support/in-memory-context.ts';

let ctx: TestContext;

beforeEach(() => {
  ctx = testContext();
});

describe('awaitTask', () => {
  it('stores the verification token and emails a code', async () => {
    await ctx.memory.create(requestRecord());

    await awaitTask(ctx, REQUEST_ID, 'verification', 'tok-1');

    expect(await ctx.memory.taskToken(REQUEST_ID, 'verification')).toBe('tok-1');
    const mail = ctx.mail.to(SUBJECT_EMAIL)[0]!;
    expect(mail.subject).toBe('Your verification code');
    expect(mail.text).toMatch(/is: \d{6}/);
    expect(ctx.memory.stored().verification?.codesSent).toBe(1);
  });

  it('does not send another code when a resumed step finds one still valid', async () => {
    await ctx.memory.create(requestRecord({ verification: verificationFor(REQUEST_ID, '123456') }));

    await awaitTask(ctx, REQUEST_ID, 'verification', 'tok-2');

    expect(ctx.mail.sent).toHaveLength(0);
    expect(await ctx.memory.taskToken(REQUEST_ID, 'verification')).toBe('tok-2');
  });

  it('puts a request up for review and tells staff without naming the subject', async () => {
    await ctx.memory.create(requestRecord({ status: 'awaiting_verification' }));

    await awaitTask(ctx, REQUEST_ID, 'review', 'tok-r');

    expect(ctx.memory.stored().status).toBe('awaiting_review');
    const staffMail = ctx.mail.to(ctx.config.email.staff[0]!)[0]!;
    expect(staffMail.text).toContain(`${ctx.config.email.consoleBaseUrl}/requests/${REQUEST_ID}`);
    expect(staffMail.text + staffMail.html).not.toMatch(/alice/i);
  });

  it('ends the preview when the review is requested, so staff are offered the decision', async () => {
    await ctx.memory.create(requestRecord({ status: 'awaiting_review', previewPending: true }));

    await awaitTask(ctx, REQUEST_ID, 'review', 'tok-r');

    expect(ctx.memory.stored().previewPending).toBeUndefined();
    // In review already: the write only ends the preview, so the status (and its metrics fact) is not rewritten.
    expect(ctx.memory.updates.map((u) => [Object.keys(u.set), u.remove, u.onlyIf])).toEqual([[[], ['previewPending'], ['awaiting_review', 'awaiting_verification']]]);
  });

  it('asks staff to decide on failed connectors and names them', async () => {
    const failed: ConnectorOutcome = { connectorId: 'calls', status: 'failed', records: 0, objects: {}, stagingKeys: {}, attempts: 1 };
    await ctx.memory.create(requestRecord({ status: 'in_progress', connectors: { calls: failed } }));

    await awaitTask(ctx, REQUEST_ID, 'reconcile', 'tok-c');

    expect(ctx.memory.stored().status).toBe('awaiting_staff');
    expect(ctx.mail.to(ctx.config.email.staff[0]!)[0]!.subject).toContain('connectors failed: calls');
    expect(await ctx.memory.taskToken(REQUEST_ID, 'reconcile')).toBe('tok-c');
  });

  it('holds an assembled package for staff to release, and tells them without naming the subject', async () => {
    await ctx.memory.create(requestRecord({ status: 'assembling' }));

    await awaitTask(ctx, REQUEST_ID, 'release', 'tok-rel');

    expect(ctx.memory.stored().status).toBe('awaiting_release');
    expect(ctx.memory.stored().openPk).toBe('OPEN');
    expect(await ctx.memory.taskToken(REQUEST_ID, 'release')).toBe('tok-rel');
    const staffMail = ctx.mail.to(ctx.config.email.staff[0]!)[0]!;
    expect(staffMail.subject).toContain('package to review and release');
    expect(staffMail.text + staffMail.html).not.toMatch(/alice/i);
  });
});
