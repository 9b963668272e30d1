import { beforeEach, describe, expect, it } from 'vitest';
import { RequestError } from '#commons/errors';
import { packageReviewUrl } from '#domain/release/review-link';
import { OTHER_ID, REQUEST_ID, requestRecord, testContext, type TestContext } from '../../../support/in-memory-context.ts';

let ctx: TestContext;
const KEY = `exports/${REQUEST_ID}/access-${REQUEST_ID}.zip`;
const STAFF = 'dana@example-video.test';

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
  const now = ctx.clock.now();
  await ctx.memory.create(
    requestRecord({
      status: 'completed',
      package: { key: KEY, createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + 7 * 86_400_000).toISOString(), bytes: 2048 },
    }),
  );
  await ctx.memory.create(requestRecord({ requestId: OTHER_ID, status: 'in_progress' }));
});

describe('packageReviewUrl', () => {
  it('answers a presigned URL to the package that lives for the configured seconds, and audits the staff member', async () => {
    const link = await packageReviewUrl(ctx, REQUEST_ID, STAFF);

    const url = new URL(link.url);
    expect(url.hostname + url.pathname).toContain('dsar-exports');
    expect(url.pathname).toContain(KEY);
    expect(link.expiresInSeconds).toBe(ctx.config.delivery.presignedUrlSeconds);
    expect(url.searchParams.get('X-Amz-Expires')).toBe(String(ctx.config.delivery.presignedUrlSeconds));
    expect(url.searchParams.get('response-content-disposition')).toBe(`attachment; filename="access-${REQUEST_ID}.zip"`);
    const reviewed = (await ctx.memory.auditTrail(REQUEST_ID)).filter((e) => e.action === 'package.reviewed');
    expect(reviewed).toHaveLength(1);
    expect(reviewed[0]!.actor).toBe(STAFF);
  });

  it('answers 404 when the request has no package, and audits nothing', async () => {
    const err = await rejection(packageReviewUrl(ctx, OTHER_ID, STAFF));

    expect(err.status).toBe(404);
    expect(ctx.memory.actions(OTHER_ID)).not.toContain('package.reviewed');
  });

  it('answers 404 for an unknown request', async () => {
    expect((await rejection(packageReviewUrl(ctx, 'dsar_doesnotexist00', STAFF))).status).toBe(404);
  });

  it('answers 410 once the package has expired, and audits nothing', async () => {
    ctx.fixedClock.advance(7 * 86_400_000 + 1);

    const err = await rejection(packageReviewUrl(ctx, REQUEST_ID, STAFF));

    expect(err.status).toBe(410);
    expect(err.code).toBe('package_expired');
    expect(ctx.memory.actions(REQUEST_ID)).not.toContain('package.reviewed');
  });
});
