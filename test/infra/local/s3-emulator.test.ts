/**
 * The S3 emulator's process: one per data folder at a time, and gone when its parent is.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startS3Emulator, type S3Emulator } from '../../../infra/local/s3-emulator.ts';

const started: S3Emulator[] = [];
let dir: string | undefined;
afterEach(async () => {
  for (const e of started.splice(0)) await e.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the S3 emulator', () => {
  it('started on a folder another emulator still serves, waits for that one to stop before it recovers and serves', async () => {
    dir = mkdtempSync(join(tmpdir(), 's3-emulator-'));
    const first = await startS3Emulator({ directory: dir, buckets: ['b1'] });
    const order: string[] = [];
    const second = startS3Emulator({ directory: dir, buckets: ['b1'] }).then((e) => {
      order.push('second serves');
      started.push(e);
      return e;
    });
    // Long enough for the second to be serving by now if it did not wait (it needs about a second).
    await new Promise((r) => setTimeout(r, 3_000));

    await first.close();
    order.push('first stopped');
    await second;

    expect(order).toEqual(['first stopped', 'second serves']);
  });
});
