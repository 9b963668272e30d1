import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { CreateMultipartUploadCommand, DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { assemble } from '#domain/workflow/assemble';
import { REQUEST_ID, requestRecord, testContext, verificationFor, type TestContext } from '../../../support/in-memory-context.ts';

const s3 = mockClient(S3Client);
let ctx: TestContext;

beforeEach(() => {
  ctx = testContext();
  s3.on(ListObjectsV2Command).resolves({ Contents: [] });
  s3.on(DeleteObjectsCommand).resolves({});
  // The staged copies are gone: a rebuild would fail on this.
  s3.on(GetObjectCommand).rejects(Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' }));
});
afterEach(() => s3.reset());

describe('assemble', () => {
  it('answers a rerun after the package went on record with that package, without reading staging that is gone', async () => {
    const key = `exports/${REQUEST_ID}/access-${REQUEST_ID}.zip`;
    await ctx.memory.create(
      requestRecord({
        status: 'assembling',
        verification: verificationFor(REQUEST_ID, '123456', { verifiedAt: '2026-03-02T10:05:00.000Z' }),
        decision: { outcome: 'approved', by: 'dana', at: '2026-03-02T11:00:00.000Z' },
        connectors: {
          accounts: { connectorId: 'accounts', status: 'succeeded', records: 2, objects: { account: 2 }, stagingKeys: { account: `staging/${REQUEST_ID}/accounts/account.jsonl` }, attempts: 1 },
        },
        package: { key, createdAt: '2026-03-02T11:05:00.000Z', expiresAt: '2026-03-09T11:05:00.000Z', bytes: 1234 },
      }),
    );

    const result = await assemble(ctx, REQUEST_ID);

    expect(result).toEqual({ key, records: 2, bytes: 1234 });
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
    expect(ctx.memory.stored().package?.key).toBe(key);
  });

  it('builds no package when no system returned a record, and keeps on record which systems were searched', async () => {
    const none = (connectorId: string) => ({ connectorId, status: 'succeeded' as const, records: 0, objects: {}, stagingKeys: {}, attempts: 1 });
    await ctx.memory.create(
      requestRecord({
        status: 'in_progress',
        verification: verificationFor(REQUEST_ID, '123456', { verifiedAt: '2026-03-02T10:05:00.000Z' }),
        decision: { outcome: 'approved', by: 'dana', at: '2026-03-02T11:00:00.000Z' },
        connectors: { accounts: none('accounts'), stripe: none('stripe') },
      }),
    );

    const result = await assemble(ctx, REQUEST_ID);
    const again = await assemble(ctx, REQUEST_ID);

    expect(result).toEqual({ key: '', records: 0, bytes: 0 });
    expect(again).toEqual(result);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(s3.commandCalls(CreateMultipartUploadCommand)).toHaveLength(0);
    const stored = ctx.memory.stored();
    expect(stored.status).toBe('assembling');
    expect(stored.package).toBeUndefined();
    expect(stored.nothingHeld).toEqual({ at: ctx.clock.now().toISOString(), systems: ['Example Video account store', 'Stripe (payments)'] });
    expect((await ctx.memory.auditTrail(REQUEST_ID)).filter((a) => a.action === 'package.nothing_held')).toHaveLength(1);
  });

  it('builds no package for a portability request whose records are all inferred or derived, and records it as nothing portable', async () => {
    const key = `staging/${REQUEST_ID}/hubspot/deals.jsonl`;
    // HubSpot deals are derived data (our scoring of a sales opportunity): not the subject's to port.
    s3.on(GetObjectCommand, { Key: key }).callsFake(() => ({ Body: Readable.from([Buffer.from(`${JSON.stringify({ object: 'deals', id: 'd1', data: { dealname: 'Renewal', amount: '1200' } })}\n`)]) }));
    await ctx.memory.create(
      requestRecord({
        type: 'portability',
        status: 'in_progress',
        verification: verificationFor(REQUEST_ID, '123456', { verifiedAt: '2026-03-02T10:05:00.000Z' }),
        decision: { outcome: 'approved', by: 'dana', at: '2026-03-02T11:00:00.000Z' },
        connectors: { hubspot: { connectorId: 'hubspot', status: 'succeeded', records: 1, objects: { deals: 1 }, stagingKeys: { deals: key }, attempts: 1 } },
      }),
    );

    const result = await assemble(ctx, REQUEST_ID);
    const again = await assemble(ctx, REQUEST_ID);

    expect(result).toEqual({ key: '', records: 0, bytes: 0 });
    expect(again).toEqual(result);
    expect(s3.commandCalls(CreateMultipartUploadCommand)).toHaveLength(0);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    const stored = ctx.memory.stored();
    expect(stored.package).toBeUndefined();
    expect(stored.nothingHeld).toEqual({ at: ctx.clock.now().toISOString(), systems: ['HubSpot (communication and marketing)'], onlyInferred: true });
    expect((await ctx.memory.auditTrail(REQUEST_ID)).filter((a) => a.action === 'package.nothing_held')).toHaveLength(1);
  });

  it('still builds the access package of the same records: access covers inferred data', async () => {
    const key = `staging/${REQUEST_ID}/hubspot/deals.jsonl`;
    s3.on(GetObjectCommand, { Key: key }).callsFake(() => ({ Body: Readable.from([Buffer.from(`${JSON.stringify({ object: 'deals', id: 'd1', data: { dealname: 'Renewal' } })}\n`)]) }));
    s3.on(PutObjectCommand).resolves({});
    await ctx.memory.create(
      requestRecord({
        status: 'in_progress',
        verification: verificationFor(REQUEST_ID, '123456', { verifiedAt: '2026-03-02T10:05:00.000Z' }),
        decision: { outcome: 'approved', by: 'dana', at: '2026-03-02T11:00:00.000Z' },
        connectors: { hubspot: { connectorId: 'hubspot', status: 'succeeded', records: 1, objects: { deals: 1 }, stagingKeys: { deals: key }, attempts: 1 } },
      }),
    );

    const result = await assemble(ctx, REQUEST_ID);

    expect(result.records).toBe(1);
    expect(result.key).toBe(`exports/${REQUEST_ID}/access-${REQUEST_ID}.zip`);
    expect(ctx.memory.stored().nothingHeld).toBeUndefined();
    expect(ctx.memory.stored().package?.key).toBe(result.key);
  });

  it('builds the released package without writing the status it already has: one write, the package', async () => {
    const key = `staging/${REQUEST_ID}/hubspot/deals.jsonl`;
    s3.on(GetObjectCommand, { Key: key }).callsFake(() => ({ Body: Readable.from([Buffer.from(`${JSON.stringify({ object: 'deals', id: 'd1', data: { dealname: 'Renewal' } })}\n`)]) }));
    s3.on(PutObjectCommand).resolves({});
    const zip = `exports/${REQUEST_ID}/access-${REQUEST_ID}.zip`;
    await ctx.memory.create(
      requestRecord({
        // Staff released the package built before: AwaitRelease leads back here for the last build.
        status: 'assembling',
        verification: verificationFor(REQUEST_ID, '123456', { verifiedAt: '2026-03-02T10:05:00.000Z' }),
        decision: { outcome: 'approved', by: 'dana', at: '2026-03-02T11:00:00.000Z' },
        connectors: { hubspot: { connectorId: 'hubspot', status: 'succeeded', records: 1, objects: { deals: 1 }, stagingKeys: { deals: key }, attempts: 1 } },
        package: { key: zip, createdAt: '2026-03-02T11:05:00.000Z', expiresAt: '2026-03-09T11:05:00.000Z', bytes: 1 },
        release: { by: 'dana', at: '2026-03-02T12:00:00.000Z' },
      }),
    );

    const result = await assemble(ctx, REQUEST_ID);

    expect(result.key).toBe(zip);
    expect(ctx.memory.updates.map((u) => Object.keys(u.set))).toEqual([['package']]);
    expect(ctx.memory.updates[0]!.onlyIf).toEqual(['assembling']);
    expect(ctx.memory.stored().package!.createdAt).toBe(ctx.clock.now().toISOString());
  });
});
