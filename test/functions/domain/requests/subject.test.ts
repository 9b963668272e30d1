import { beforeEach, describe, expect, it } from 'vitest';
import { RequestError } from '#commons/errors';
import { downloadUrl, subjectStatus } from '#domain/requests/subject';
import { OTHER_ID, REQUEST_ID, hashToken, requestRecord, testContext, type TestContext } from './support.ts';

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

  it('answers 404 when the request has no download', async () => {
    expect((await rejection(downloadUrl(ctx, OTHER_ID, DL_TOKEN))).status).toBe(404);
  });
});
