import { afterEach, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DeleteObjectsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { sweepExpiredPackages } from '#domain/retention/packages';
import { testContext } from '../../../support/in-memory-context.ts';

const s3 = mockClient(S3Client);
afterEach(() => s3.reset());

it('deletes only packages older than the link lifetime, over every page', async () => {
  const ctx = testContext();
  const day = 86_400_000;
  const now = ctx.clock.now().getTime();
  s3.on(ListObjectsV2Command)
    .resolvesOnce({
      Contents: [
        { Key: 'exports/a/old.zip', LastModified: new Date(now - 8 * day) },
        { Key: 'exports/b/new.zip', LastModified: new Date(now - 1 * day) },
      ],
      IsTruncated: true,
      NextContinuationToken: 'next',
    })
    .resolvesOnce({ Contents: [{ Key: 'exports/c/old.zip', LastModified: new Date(now - 30 * day) }] });
  s3.on(DeleteObjectsCommand).resolves({});

  const deleted = await sweepExpiredPackages(ctx);

  expect(deleted).toBe(2);
  const keys = s3.commandCalls(DeleteObjectsCommand).flatMap((c) => c.args[0].input.Delete!.Objects!.map((o) => o.Key));
  expect(keys).toEqual(['exports/a/old.zip', 'exports/c/old.zip']);
  expect(s3.commandCalls(ListObjectsV2Command)[1]!.args[0].input).toMatchObject({ Bucket: 'dsar-exports', Prefix: 'exports/', ContinuationToken: 'next' });
});

it('fails instead of counting a package S3 reports it could not delete, so the next run tries it again', async () => {
  const ctx = testContext();
  s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'exports/a/old.zip', LastModified: new Date(ctx.clock.now().getTime() - 30 * 86_400_000) }] });
  s3.on(DeleteObjectsCommand).resolves({ Errors: [{ Key: 'exports/a/old.zip', Code: 'AccessDenied' }] });

  await expect(sweepExpiredPackages(ctx)).rejects.toThrow(/exports\/a\/old.zip: AccessDenied/);
});
