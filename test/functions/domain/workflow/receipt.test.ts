import { beforeEach, describe, expect, it } from 'vitest';
import { translator } from '#domain/i18n/index';
import { hashToken } from '#commons/tokens';
import { recordReceipt } from '#domain/workflow/receipt';
import { OTHER_ID, REQUEST_ID, SUBJECT_EMAIL, tokenLinkIn, requestRecord, testContext, type TestContext } from '../../../support/in-memory-context.ts';

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
