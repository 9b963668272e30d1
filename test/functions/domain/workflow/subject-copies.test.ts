import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DeleteObjectsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { subjectHash } from '#commons/tokens';
import { deleteSubjectCopies } from '#domain/workflow/subject-copies';
import { OTHER_ID, REQUEST_ID, requestRecord, testContext, type TestContext } from '../../../support/in-memory-context.ts';

const s3 = mockClient(S3Client);
let ctx: TestContext;
const EARLIER = 'dsar_test0000000000003';
const LATER_OPEN = 'dsar_test0000000000004';

beforeEach(() => {
  ctx = testContext();
  // Each bucket answers with the objects under the asked prefix.
  s3.on(ListObjectsV2Command).callsFake((input: { Bucket: string; Prefix: string }) => ({
    Contents: [{ Key: `${input.Prefix}a` }, { Key: `${input.Prefix}b` }],
    IsTruncated: false,
  }));
  s3.on(DeleteObjectsCommand).resolves({});
});
afterEach(() => s3.reset());

async function seed() {
  await ctx.memory.create(requestRecord({ type: 'erasure', status: 'in_progress' }));
  await ctx.memory.create(
    requestRecord({
      requestId: EARLIER,
      status: 'completed',
      package: { key: `exports/${EARLIER}/access-${EARLIER}.zip`, createdAt: '2026-03-01T10:00:00.000Z', expiresAt: '2026-03-08T10:00:00.000Z' },
    }),
  );
  await ctx.memory.putDownload({ requestId: EARLIER, tokenHash: 'h', key: `exports/${EARLIER}/access-${EARLIER}.zip`, expiresAt: '2026-03-08T10:00:00.000Z' });
  // Still being answered: its own Assemble step deletes its staging.
  await ctx.memory.create(requestRecord({ requestId: LATER_OPEN, type: 'portability', status: 'in_progress' }));
  // Someone else.
  await ctx.memory.create(requestRecord({ requestId: OTHER_ID, status: 'completed', subject: { email: 'bob@example.com', normalizedEmail: 'bob@example.com' }, subjectHash: subjectHash('bob@example.com') }));
}

describe('deleteSubjectCopies', () => {
  it("deletes the staging data and packages of the subject's earlier closed requests, and nobody else's", async () => {
    await seed();

    const out = await deleteSubjectCopies(ctx, ctx.memory.stored(REQUEST_ID));

    expect(out).toEqual({ requests: [EARLIER], stagedObjects: 2, packageObjects: 2, packagesDeleted: [EARLIER], agentPermissionsDeleted: [] });
    const listed = s3.commandCalls(ListObjectsV2Command).map((c) => `${c.args[0].input.Bucket}/${c.args[0].input.Prefix}`);
    expect(listed.sort()).toEqual([`dsar-exports/exports/${EARLIER}/`, `dsar-staging/staging/${EARLIER}/`]);
    const deleted = s3.commandCalls(DeleteObjectsCommand).flatMap((c) => c.args[0].input.Delete!.Objects!.map((o) => `${c.args[0].input.Bucket}/${o.Key}`));
    expect(deleted.sort()).toEqual([
      `dsar-exports/exports/${EARLIER}/a`,
      `dsar-exports/exports/${EARLIER}/b`,
      `dsar-staging/staging/${EARLIER}/a`,
      `dsar-staging/staging/${EARLIER}/b`,
    ]);
  });

  it("deletes the signed permission an agent gave on her earlier request, keeps its size and hash as evidence, and says so", async () => {
    await seed();
    const permission = { key: `requests/${EARLIER}/agent-permission.pdf`, contentType: 'application/pdf' as const, bytes: 1234, sha256: 'ab'.repeat(32) };
    await ctx.memory.update(EARLIER, { agent: { name: 'Dana Agent', email: 'dana@agents.example.org', relationship: 'authorised_agent', permission } });
    await ctx.memory.update(OTHER_ID, { agent: { name: 'Eve Agent', email: 'eve@agents.example.org', relationship: 'authorised_agent', permission: { ...permission, key: `requests/${OTHER_ID}/agent-permission.pdf` } } });

    const out = await deleteSubjectCopies(ctx, ctx.memory.stored(REQUEST_ID));

    expect(out.agentPermissionsDeleted).toEqual([EARLIER]);
    const documents = s3.commandCalls(DeleteObjectsCommand).filter((c) => c.args[0].input.Bucket === 'dsar-documents');
    expect(documents.flatMap((c) => c.args[0].input.Delete!.Objects!.map((o) => o.Key))).toEqual([`requests/${EARLIER}/agent-permission.pdf`]);
    expect(ctx.memory.stored(EARLIER).agent!.permission).toEqual({ ...permission, deletedFor: { reason: 'erasure', erasureRequestId: REQUEST_ID, at: ctx.clock.now().toISOString() } });
    expect(ctx.memory.stored(OTHER_ID).agent!.permission.deletedFor).toBeUndefined();
    expect(ctx.memory.events.find((e) => e.requestId === EARLIER && e.action === 'agent.permission_deleted')?.detail).toEqual({ reason: 'erasure', erasureRequestId: REQUEST_ID });
    expect(ctx.memory.events.find((e) => e.requestId === REQUEST_ID && e.action === 'erasure.earlier_copies_deleted')?.detail).toMatchObject({ agentPermissions: 1 });

    // A second erasure finds it gone already and deletes nothing more.
    s3.resetHistory();
    expect((await deleteSubjectCopies(ctx, ctx.memory.stored(REQUEST_ID))).agentPermissionsDeleted).toEqual([]);
    expect(s3.commandCalls(DeleteObjectsCommand).filter((c) => c.args[0].input.Bucket === 'dsar-documents')).toEqual([]);
  });

  it("removes what the subject wrote to us on her earlier requests, and leaves other people's words", async () => {
    await seed();
    await ctx.memory.audit(EARLIER, 'subject', 'subject.message', { message: 'My customer number is 4711' });
    await ctx.memory.audit(OTHER_ID, 'subject', 'subject.message', { message: 'Bob here' });

    await deleteSubjectCopies(ctx, ctx.memory.stored(REQUEST_ID));

    const messages = (id: string) => ctx.memory.events.filter((e) => e.requestId === id && e.action === 'subject.message').map((e) => e.detail);
    expect(messages(EARLIER)).toEqual([{ messageRemovedAt: expect.any(String) }]);
    expect(messages(OTHER_ID)).toEqual([{ message: 'Bob here' }]);
  });

  it('makes the earlier download link answer gone, and records what was deleted on both requests', async () => {
    await seed();

    await deleteSubjectCopies(ctx, ctx.memory.stored(REQUEST_ID));

    const now = ctx.clock.now().toISOString();
    expect((await ctx.memory.download(EARLIER))!.expiresAt).toBe(now);
    // Marked as the erasure's doing, so the link says why the package is gone rather than "expired".
    expect((await ctx.memory.download(EARLIER))!.deletedFor).toBe('erasure');
    expect(ctx.memory.stored(EARLIER).package!.expiresAt).toBe(now);
    const earlier = await ctx.memory.auditTrail(EARLIER);
    expect(earlier.map((e) => [e.action, e.detail])).toEqual([['package.deleted', { reason: 'erasure', erasureRequestId: REQUEST_ID, staged: 2, packaged: 2 }]]);
    const own = await ctx.memory.auditTrail(REQUEST_ID);
    expect(own.map((e) => [e.action, e.detail])).toEqual([['erasure.earlier_copies_deleted', { requests: [EARLIER], stagedObjects: 2, packageObjects: 2, agentPermissions: 0 }]]);
  });
});
