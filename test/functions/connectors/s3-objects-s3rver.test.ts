/**
 * The S3 connector against s3rver, the local runtime's S3: it answers GetBucketVersioning with
 * NotImplemented (it keeps one copy per key), which the connector must read as "unversioned" rather
 * than fail every request of the embedded runtime.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { S3ObjectsConnector } from '#connectors/s3-objects';
import type { DataRecord } from '#connectors/types';
import { startS3rver, type S3rverHandle } from '../../support/s3rver.ts';
import { CALLS_CONFIG } from './support.ts';

const config = CALLS_CONFIG;
const subject = { email: 'alice@example.com', normalizedEmail: 'alice@example.com' };
const ctx = { requestId: 'dsar_test' };

let emulator: S3rverHandle;
beforeAll(async () => {
  emulator = await startS3rver({ buckets: ['demo-call-history'] });
});
afterAll(() => emulator.close());

async function all(it: AsyncIterable<DataRecord>): Promise<DataRecord[]> {
  const out: DataRecord[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('S3ObjectsConnector on s3rver, which does not implement versioning', () => {
  it('reads the NotImplemented answer as an unversioned bucket: erases by key and reads back nothing', async () => {
    await emulator.s3.send(new PutObjectCommand({ Bucket: 'demo-call-history', Key: 'users/acc-9/a.jsonl', Body: '{"id":"1"}\n{"id":"2"}\n' }));
    const c = new S3ObjectsConnector(config, emulator.s3, { resolveIdentifier: async () => ['acc-9'] });
    expect((await all(c.access(subject, ctx))).map((r) => r.id)).toEqual(['1', '2']);

    const out = await c.erase(subject, () => ({ action: 'delete' }), ctx);

    expect(out.items).toEqual([{ object: 'call', action: 'deleted', count: 2 }]);
    expect(await all(c.access(subject, ctx))).toEqual([]);
  });
});
