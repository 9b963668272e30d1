import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { runCli } from '../../../infra/cli/main.ts';
import { handlerEnvironment, putRequest, startHarness, type Harness } from '../../support/dynalite-harness.ts';

let h: Harness;
const ses = mockClient(SESv2Client);

beforeAll(async () => {
  h = await startHarness();
  Object.assign(process.env, handlerEnvironment(h));
  ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
});
afterAll(async () => {
  ses.restore();
  await h?.close();
});

describe('dsar escalate', () => {
  it('runs the job at --now and prints a JSON summary', async () => {
    await putRequest(h, { receivedAt: '2026-01-20T10:00:00Z', dueDate: '2026-02-20' });
    const out = await runCli(['escalate', '--now', '2026-02-17T11:00:00Z']);
    expect(out.exitCode).toBe(0);
    const summary = JSON.parse(out.stdout) as { fired: number; itemsRead: number; digests: unknown[] };
    expect(summary).toMatchObject({ fired: 1, itemsRead: 1 });
    expect(summary.digests).toHaveLength(2);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(2);
    const again = JSON.parse((await runCli(['escalate', '--now', '2026-02-17T12:00:00Z'])).stdout) as { fired: number };
    expect(again.fired).toBe(0);
  });

  it('exits 2 on an instant without an offset', async () => {
    const out = await runCli(['escalate', '--now', '2026-02-17']);
    expect(out.exitCode).toBe(2);
    expect(out.stderr).toContain('--now must be an ISO 8601 instant');
  });

  it('is listed in the usage', async () => {
    expect((await runCli(['--help'])).stdout).toMatch(/escalate\s+run the escalation job once/);
  });
});
