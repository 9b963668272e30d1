import { afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DeleteObjectsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { STAGING_RETENTION_DAYS, sweepExpiredStaging } from '#domain/retention/staging';

const s3 = mockClient(S3Client);
afterEach(() => s3.reset());

const NOW = new Date('2026-05-01T00:00:00.000Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000);

describe('sweepExpiredStaging', () => {
  it('deletes staged objects older than the AWS lifecycle rule allows, and leaves the younger ones', async () => {
    s3.on(ListObjectsV2Command, { Prefix: 'staging/' })
      .resolvesOnce({
        Contents: [
          { Key: 'staging/dsar_old/hubspot/contacts.jsonl', LastModified: daysAgo(101) },
          { Key: 'staging/dsar_new/hubspot/contacts.jsonl', LastModified: daysAgo(99) },
        ],
        IsTruncated: true,
        NextContinuationToken: 'next',
      })
      .resolvesOnce({ Contents: [{ Key: 'staging/dsar_old/stripe/charges.jsonl', LastModified: daysAgo(145) }], IsTruncated: false });
    s3.on(DeleteObjectsCommand).resolves({});

    const deleted = await sweepExpiredStaging(new S3Client({}), 'dsar-staging', NOW);

    expect(deleted).toBe(2);
    const keys = s3.commandCalls(DeleteObjectsCommand).flatMap((c) => c.args[0].input.Delete!.Objects!.map((o) => o.Key));
    expect(keys).toEqual(['staging/dsar_old/hubspot/contacts.jsonl', 'staging/dsar_old/stripe/charges.jsonl']);
    expect(s3.commandCalls(ListObjectsV2Command)[1]!.args[0].input.ContinuationToken).toBe('next');
  });

  it('keeps staged records longer than any extended statutory period by default, like the bucket lifecycle', () => {
    expect(STAGING_RETENTION_DAYS).toBeGreaterThan(92); // outlasts three months plus a weekend
  });
});
