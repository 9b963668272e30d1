import { beforeEach, describe, expect, it } from 'vitest';
import { translator } from '#domain/i18n/index';
import { hashToken } from '#commons/tokens';
import { recordReceipt, usualReceipt } from '#domain/workflow/receipt';
import { verificationFor } from '../../../support/in-memory-context.ts';
import { exampleConfig, OTHER_ID, REQUEST_ID, SUBJECT_EMAIL, tokenLinkIn, requestRecord, testContext, type TestContext } from '../../../support/in-memory-context.ts';

let ctx: TestContext;

beforeEach(async () => {
  ctx = testContext();
  await ctx.memory.create(requestRecord());
});

describe('recordReceipt', () => {
  it('acknowledges once with a status link whose token is kept only as a hash, and tells the workflow how review goes', async () => {
    const result = await recordReceipt(ctx, REQUEST_ID);

    expect(result).toEqual({
      requestId: REQUEST_ID,
      type: 'access',
      duplicate: false,
      verificationWaived: false,
      reopened: false,
      review: ctx.config.review.access,
      release: ctx.config.release.access,
      timeouts: { verificationSeconds: ctx.config.verification.unverifiedTimeoutSeconds, staffSeconds: ctx.config.workflow.staffTaskTimeoutSeconds },
    });
    const mails = ctx.mail.to(SUBJECT_EMAIL);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text).toContain(`We will answer by ${translator('en').date(requestRecord().dueDate)}`);
    const link = tokenLinkIn(mails[0]!);
    const token = link.token;
    expect(link.url.origin).toBe(new URL(ctx.config.email.publicBaseUrl).origin);
    expect(link.names(REQUEST_ID)).toBe(true);
    expect(ctx.memory.stored().statusTokenHash).toBe(hashToken(token));
    expect(JSON.stringify(ctx.memory.stored())).not.toContain(token);
    // Tagged with the request, so a bounce of it lands on this request's audit trail.
    expect(ctx.mail.sent[0]!.tags).toEqual({ requestId: REQUEST_ID });
  });

  it('acknowledges in the language the request was filed in', async () => {
    await ctx.memory.update(REQUEST_ID, { locale: 'nb-NO' });

    await recordReceipt(ctx, REQUEST_ID);

    const mail = ctx.mail.to(SUBJECT_EMAIL)[0]!;
    expect(mail.subject).toBe(`Vi har mottatt forespørselen din (${REQUEST_ID})`);
    expect(mail.text).toContain(`Du får svar innen ${translator('nb').date(requestRecord().dueDate)}.`);
    // The status page the mail links opens in the mail's language, whatever the browser's is.
    expect(tokenLinkIn(mail).url.searchParams.get('lang')).toBe('nb');
  });

  it('gives the status link no language when the request has none, so the page follows the browser', async () => {
    await recordReceipt(ctx, REQUEST_ID);

    expect(tokenLinkIn(ctx.mail.to(SUBJECT_EMAIL)[0]!).url.searchParams.has('lang')).toBe(false);
  });

  it('links a duplicate\'s status page in the language it was filed in', async () => {
    await ctx.memory.create(requestRecord({ requestId: OTHER_ID, status: 'duplicate', duplicateOf: REQUEST_ID, locale: 'nb-NO' }));

    await recordReceipt(ctx, OTHER_ID);

    expect(tokenLinkIn(ctx.mail.to(SUBJECT_EMAIL)[0]!).url.searchParams.get('lang')).toBe('nb');
  });

  it('does not mail again when the step is retried', async () => {
    await recordReceipt(ctx, REQUEST_ID);
    const hash = ctx.memory.stored().statusTokenHash;

    const again = await recordReceipt(ctx, REQUEST_ID);

    expect(ctx.mail.sent).toHaveLength(1);
    expect(ctx.memory.stored().statusTokenHash).toBe(hash);
    expect(again.requestId).toBe(REQUEST_ID);
    expect(ctx.memory.actions().filter((a) => a === 'request.acknowledged')).toHaveLength(1);
  });

  it('tells the sender of a duplicate about the open request, with the duplicate’s own status link', async () => {
    await ctx.memory.create(requestRecord({ requestId: OTHER_ID, status: 'duplicate', duplicateOf: REQUEST_ID }));

    const result = await recordReceipt(ctx, OTHER_ID);

    expect(result.duplicate).toBe(true);
    const mail = ctx.mail.to(SUBJECT_EMAIL)[0]!;
    expect(mail.subject).toContain(REQUEST_ID);
    expect(tokenLinkIn(mail).names(OTHER_ID)).toBe(true);
  });

  // SES failed on the first try: the retried step must still acknowledge.
  it('still acknowledges when the first try failed to mail', async () => {
    ctx.mail.failNext = 1;
    await recordReceipt(ctx, REQUEST_ID).catch(() => undefined);

    await recordReceipt(ctx, REQUEST_ID);

    expect(ctx.mail.to(SUBJECT_EMAIL)).toHaveLength(1);
  });
});

describe('recordReceipt of a marketing opt-out, which needs no code where the configuration or the law says so', () => {
  const optOut = (code: 'code' | 'none', jurisdiction: 'GDPR' | 'CCPA' = 'GDPR') => {
    const config = exampleConfig();
    const c = testContext({ ...config, verification: { ...config.verification, marketing_opt_out: code } });
    return { c, record: requestRecord({ type: 'marketing_opt_out', jurisdiction }) };
  };

  it('goes straight on to review without a code when configured so, and says so on the audit trail and in the acknowledgement', async () => {
    const { c, record } = optOut('none');
    await c.memory.create(record);

    const result = await recordReceipt(c, REQUEST_ID);

    expect(result).toMatchObject({ type: 'marketing_opt_out', duplicate: false, verificationWaived: true });
    const stored = c.memory.stored();
    expect(stored).toMatchObject({ status: 'awaiting_review', verificationWaived: { reason: 'configuration' } });
    // Waived, not verified: every step that reads data still refuses the request.
    expect(stored.verification?.verifiedAt).toBeUndefined();
    expect(c.memory.events.filter((e) => e.action === 'verification.waived').map((e) => e.detail)).toEqual([{ reason: 'configuration', setting: 'verification.marketing_opt_out' }]);
    const ack = c.mail.to(SUBJECT_EMAIL)[0]!;
    expect(ack.text).toContain('Stopping marketing needs no code');
    expect(ack.text).not.toContain('nothing happens until the code is entered');
  });

  it('waits for the code when the configuration asks for it', async () => {
    const { c, record } = optOut('code');
    await c.memory.create(record);

    const result = await recordReceipt(c, REQUEST_ID);

    expect(result.verificationWaived).toBe(false);
    expect(c.memory.stored()).toMatchObject({ status: 'awaiting_verification' });
    expect(c.memory.stored().verificationWaived).toBeUndefined();
    expect(c.mail.to(SUBJECT_EMAIL)[0]!.text).toContain('nothing happens until the code is entered');
  });

  it('never asks a CCPA subject for the code, whatever the configuration (11 CCR §7026(d))', async () => {
    const { c, record } = optOut('code', 'CCPA');
    await c.memory.create(record);

    expect((await recordReceipt(c, REQUEST_ID)).verificationWaived).toBe(true);
    expect(c.memory.events.find((e) => e.action === 'verification.waived')?.detail).toEqual({ reason: 'law', law: '11 CCR §7026(d)' });
  });

  it('records the waiver once when the step is retried', async () => {
    const { c, record } = optOut('none');
    await c.memory.create(record);

    await recordReceipt(c, REQUEST_ID);
    const again = await recordReceipt(c, REQUEST_ID);

    expect(again.verificationWaived).toBe(true);
    expect(c.memory.actions().filter((a) => a === 'verification.waived')).toHaveLength(1);
    expect(c.mail.sent).toHaveLength(1);
  });

  it('leaves a duplicate opt-out closed as a duplicate', async () => {
    const { c, record } = optOut('none');
    await c.memory.create(record);
    await c.memory.create(requestRecord({ type: 'marketing_opt_out', requestId: OTHER_ID, status: 'duplicate', duplicateOf: REQUEST_ID }));

    const result = await recordReceipt(c, OTHER_ID);

    expect(result).toMatchObject({ duplicate: true, verificationWaived: false });
    expect(c.memory.stored(OTHER_ID).status).toBe('duplicate');
  });

  it('goes ahead only on a request still waiting for its code: one cancelled meanwhile stays cancelled', async () => {
    const { c, record } = optOut('none');
    await c.memory.create({ ...record, status: 'cancelled' });

    expect((await recordReceipt(c, REQUEST_ID)).verificationWaived).toBe(false);
    expect(c.memory.actions()).not.toContain('verification.waived');
  });
});

describe('the receipt\'s rare ways on, as errors the workflow catches', () => {
  it('ends a duplicate with DuplicateRequest, after its sender was told', async () => {
    await ctx.memory.create(requestRecord({ requestId: OTHER_ID, status: 'duplicate', duplicateOf: REQUEST_ID }));
    const receipt = await recordReceipt(ctx, OTHER_ID);

    expect(() => usualReceipt(receipt)).toThrow(expect.objectContaining({ name: 'DuplicateRequest' }));
    expect(ctx.mail.to(SUBJECT_EMAIL)).toHaveLength(1);
  });

  it('sends a run reopened on a partner\'s instruction on as ReopenedRequest, with the receipt as JSON in its message', async () => {
    const partner = { id: 'p1', name: 'Partner', contactEmail: 'dpo@partner.test', by: 'domain', at: '2026-03-02T10:06:00.000Z', forwarded: { at: '2026-03-02T11:00:00.000Z' }, instruction: { by: 'dana@example-video.test', at: '2026-03-03T09:00:00.000Z', reference: 'REF-1' } };
    await ctx.memory.update(REQUEST_ID, { partner, verification: verificationFor(REQUEST_ID, '123456', { verifiedAt: '2026-03-02T10:05:00.000Z' }) } as never);
    const receipt = await recordReceipt(ctx, REQUEST_ID);

    expect(receipt.reopened).toBe(true);
    const err = (() => {
      try {
        usualReceipt(receipt);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.name).toBe('ReopenedRequest');
    expect(JSON.parse(err!.message)).toEqual(receipt);
  });

  it('sends a marketing opt-out that needs no code on as VerificationWaived, with the receipt as JSON in its message', async () => {
    const config = exampleConfig();
    const c = testContext({ ...config, verification: { ...config.verification, marketing_opt_out: 'none' } });
    await c.memory.create(requestRecord({ type: 'marketing_opt_out' }));
    const receipt = await recordReceipt(c, REQUEST_ID);

    expect(receipt.verificationWaived).toBe(true);
    expect(() => usualReceipt(receipt)).toThrow(expect.objectContaining({ name: 'VerificationWaived', message: JSON.stringify(receipt) }));
  });

  it('hands every other receipt on as it is', async () => {
    const receipt = await recordReceipt(ctx, REQUEST_ID);
    expect(usualReceipt(receipt)).toBe(receipt);
  });
});
