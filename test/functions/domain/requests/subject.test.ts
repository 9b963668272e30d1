import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { RequestError } from '#commons/errors';
import { logger } from '#commons/observability';
import { pauseDeadline } from '#domain/deadlines/ops/clock-stop';
import { downloadUrl, subjectReply, subjectStatus } from '#domain/requests/subject';
import { putRequest, startHarness, testConfig, type Harness } from '../../../support/dynalite-harness.ts';
import { OTHER_ID, REQUEST_ID, hashToken, requestRecord, testContext, type TestContext } from '../../../support/in-memory-context.ts';

let ctx: TestContext;
const TOKEN = 'status-token-abc';
const DL_TOKEN = 'download-token-xyz';

async function rejection(p: Promise<unknown>): Promise<RequestError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RequestError);
  return err as RequestError;
}

beforeEach(async () => {
  ctx = testContext();
  await ctx.memory.create(requestRecord({ statusTokenHash: hashToken(TOKEN), status: 'awaiting_staff' }));
});

describe('subjectStatus', () => {
  it('shows the status with the right token, collapsing internal steps into in_progress and hiding secrets', async () => {
    const view = await subjectStatus(ctx, REQUEST_ID, TOKEN);

    expect(view).toMatchObject({ requestId: REQUEST_ID, type: 'access', status: 'in_progress', dueDate: '2026-04-02', verified: false });
    expect(JSON.stringify(view)).not.toContain('statusTokenHash');
    expect(JSON.stringify(view)).not.toContain('alice');
  });

  it.each([
    ['a wrong token', 'not-the-token'],
    ['no token', undefined],
  ])('answers 403 for %s', async (_what, token) => {
    const err = await rejection(subjectStatus(ctx, REQUEST_ID, token));

    expect(err.status).toBe(403);
    expect(err.code).toBe('invalid_token');
  });

  it('answers 403 while no status token exists yet, whatever token is given', async () => {
    await ctx.memory.create(requestRecord({ requestId: OTHER_ID }));

    const err = await rejection(subjectStatus(ctx, OTHER_ID, ''));

    expect(err.status).toBe(403);
  });

  it('tells a subject whose data is restricted that it is done, though the request stays open until lifted', async () => {
    await ctx.repo.update(REQUEST_ID, { type: 'restriction', status: 'restricted' });

    expect(await subjectStatus(ctx, REQUEST_ID, TOKEN)).toMatchObject({ type: 'restriction', status: 'restricted' });
  });

  it('answers 404 for an unknown request', async () => {
    const err = await rejection(subjectStatus(ctx, 'dsar_doesnotexist00', TOKEN));

    expect(err.status).toBe(404);
  });

  it('tells a denied subject the reason code', async () => {
    await ctx.memory.update(REQUEST_ID, { status: 'denied', decision: { outcome: 'denied', by: 'x', at: 'y', reason: 'excessive' } });

    const view = await subjectStatus(ctx, REQUEST_ID, TOKEN);

    expect(view).toMatchObject({ status: 'denied', denialReason: 'excessive' });
  });
});

describe('downloadUrl', () => {
  beforeEach(async () => {
    await ctx.memory.putDownload({
      requestId: REQUEST_ID,
      tokenHash: hashToken(DL_TOKEN),
      key: `exports/${REQUEST_ID}/access-${REQUEST_ID}.zip`,
      expiresAt: new Date(ctx.clock.now().getTime() + 7 * 86_400_000).toISOString(),
    });
  });

  it('answers a presigned URL for the package that lives for the configured minutes', async () => {
    const url = new URL(await downloadUrl(ctx, REQUEST_ID, DL_TOKEN));

    expect(url.pathname).toContain(`exports/${REQUEST_ID}/access-${REQUEST_ID}.zip`);
    expect(url.hostname + url.pathname).toContain('dsar-exports');
    expect(url.searchParams.get('X-Amz-Expires')).toBe(String(ctx.config.delivery.presignedUrlSeconds));
    expect(Number(url.searchParams.get('X-Amz-Expires'))).toBeLessThanOrEqual(3600);
    expect(url.searchParams.get('response-content-disposition')).toBe(`attachment; filename="access-${REQUEST_ID}.zip"`);
    expect(ctx.memory.actions()).toContain('package.downloaded');
  });

  it('answers 403 for a wrong token and records no download', async () => {
    const err = await rejection(downloadUrl(ctx, REQUEST_ID, 'guess'));

    expect(err.status).toBe(403);
    expect(ctx.memory.actions()).not.toContain('package.downloaded');
  });

  it('answers 403 without a token', async () => {
    expect((await rejection(downloadUrl(ctx, REQUEST_ID, undefined))).status).toBe(403);
  });

  it('answers 410 once the link has expired', async () => {
    ctx.fixedClock.advance(7 * 86_400_000 + 1);

    const err = await rejection(downloadUrl(ctx, REQUEST_ID, DL_TOKEN));

    expect(err.status).toBe(410);
    expect(err.code).toBe('link_expired');
  });

  it('answers 410 deleted_by_erasure, not link_expired, when the subject’s own erasure deleted the package, even after the link’s time', async () => {
    const item = (await ctx.memory.download(REQUEST_ID))!;
    await ctx.memory.putDownload({ requestId: REQUEST_ID, tokenHash: item.tokenHash, key: item.key, expiresAt: ctx.clock.now().toISOString(), deletedFor: 'erasure' });

    for (const later of [0, 8 * 86_400_000]) {
      ctx.fixedClock.advance(later);
      const err = await rejection(downloadUrl(ctx, REQUEST_ID, DL_TOKEN));
      expect([err.status, err.code]).toEqual([410, 'deleted_by_erasure']);
    }
    // A wrong token learns nothing about why.
    expect((await rejection(downloadUrl(ctx, REQUEST_ID, 'guess'))).code).toBe('invalid_token');
  });

  it('answers 404 when the request has no download', async () => {
    expect((await rejection(downloadUrl(ctx, OTHER_ID, DL_TOKEN))).status).toBe(404);
  });
});

describe('subjectReply', () => {
  // A real table (dynalite): the reply restarts the clock with the same conditional writes staff use.
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(testConfig());
  });
  afterAll(async () => h?.close());
  const at = (iso: string) => {
    h.clock.at = new Date(iso);
  };
  const withStatusToken = async (seed: Parameters<typeof putRequest>[1]) => {
    const r = await putRequest(h, seed);
    // Requests past review were verified: a reply needs it.
    await h.ctx.repo.update(r.requestId, {
      statusTokenHash: hashToken(TOKEN),
      verification: { codeHash: 'x', scheme: 'hmac-sha256', codesSent: 1, attempts: 1, sentAt: seed.receivedAt, expiresAt: seed.receivedAt, verifiedAt: seed.receivedAt },
    });
    return r;
  };

  it('shows the subject what staff asked while the clock is stopped, and the answer restarts it and is kept on the audit trail, never logged', async () => {
    // UK GDPR: received Mon 12 Jan 2026, due Thu 12 Feb; stopped 20 Jan, answered 30 Jan -> 10 days later.
    const r = await withStatusToken({ jurisdiction: 'UK_GDPR', receivedAt: '2026-01-12T10:00:00Z' });
    at('2026-01-20T10:00:00Z');
    await pauseDeadline(h.ctx, r.requestId, 'alice@staff', 'Which of your two accounts do you mean?');
    expect(await subjectStatus(h.ctx, r.requestId, TOKEN)).toMatchObject({
      waitingForSubject: { since: '2026-01-20', asked: 'Which of your two accounts do you mean?' },
    });
    const info = vi.spyOn(logger, 'info');
    at('2026-01-30T15:00:00Z');

    const out = await subjectReply(h.ctx, r.requestId, TOKEN, 'The one with sam@private.test, please.');

    expect(out).toEqual({ requestId: r.requestId, resumed: true, dueDate: '2026-02-23' });
    const stored = await h.ctx.repo.get(r.requestId);
    expect(stored.pause).toBeUndefined();
    expect(stored.dueDate).toBe('2026-02-23');
    const trail = await h.ctx.repo.auditTrail(r.requestId);
    expect(trail.find((e) => e.action === 'subject.message')).toMatchObject({
      actor: 'subject',
      detail: { message: 'The one with sam@private.test, please.', answering: 'Which of your two accounts do you mean?' },
    });
    expect(trail.find((e) => e.action === 'deadline.resumed')).toMatchObject({ actor: 'subject', detail: { trigger: 'subject_reply', pausedDays: 10 } });
    expect(JSON.stringify(info.mock.calls)).not.toContain('sam@private.test');
    expect((await subjectStatus(h.ctx, r.requestId, TOKEN)).waitingForSubject).toBeUndefined();
    info.mockRestore();
  });

  it('records a reply to a request whose clock runs without moving its deadline', async () => {
    const r = await withStatusToken({ jurisdiction: 'GDPR', receivedAt: '2026-01-12T10:00:00Z' });
    at('2026-01-14T10:00:00Z');

    const out = await subjectReply(h.ctx, r.requestId, TOKEN, 'One more thing.');

    expect(out).toEqual({ requestId: r.requestId, resumed: false, dueDate: r.dueDate });
    expect((await h.ctx.repo.auditTrail(r.requestId)).map((e) => e.action)).toEqual(expect.arrayContaining(['subject.message', 'subject.replied']));
  });

  it('marks the request as written to, so the retention sweep reads its trail to remove the words', async () => {
    const r = await withStatusToken({ jurisdiction: 'GDPR', receivedAt: '2026-01-12T10:00:00Z' });
    await h.ctx.repo.update(r.requestId, { subjectMessages: false });
    at('2026-01-14T10:00:00Z');

    await subjectReply(h.ctx, r.requestId, TOKEN, 'One more thing.');

    expect((await h.ctx.repo.get(r.requestId)).subjectMessages).toBe(true);
  });

  it('refuses a reply before the address is verified (409 not_verified) and records nothing', async () => {
    const r = await putRequest(h, { receivedAt: '2026-01-12T10:00:00Z', status: 'awaiting_verification' });
    await h.ctx.repo.update(r.requestId, { statusTokenHash: hashToken(TOKEN) });

    const err = await rejection(subjectReply(h.ctx, r.requestId, TOKEN, 'IMPORTANT: call us at +1 555'));

    expect([err.status, err.code]).toEqual([409, 'not_verified']);
    expect((await h.ctx.repo.auditTrail(r.requestId)).map((e) => e.action)).not.toContain('subject.message');
  });

  it('refuses a wrong token (403) and a closed request (409) without recording anything', async () => {
    const r = await withStatusToken({ receivedAt: '2026-01-12T10:00:00Z' });
    const closed = await withStatusToken({ receivedAt: '2026-01-12T10:00:00Z', status: 'completed', closedAt: '2026-01-20T10:00:00Z' });

    expect((await rejection(subjectReply(h.ctx, r.requestId, 'guess', 'hello'))).status).toBe(403);
    expect((await rejection(subjectReply(h.ctx, closed.requestId, TOKEN, 'hello'))).status).toBe(409);
    for (const id of [r.requestId, closed.requestId]) {
      expect((await h.ctx.repo.auditTrail(id)).map((e) => e.action)).not.toContain('subject.message');
    }
  });
});
