/**
 * The escalation job's handler, run as EventBridge Scheduler runs it, against a real dynalite table: it
 * publishes the number of overdue requests in the exact shape the OverdueRequests alarm reads.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { Context } from 'aws-lambda';
import { addCalendarDays } from '../../../../functions/domain/deadlines/calendar.ts';
import { handlerEnvironment, putRequest, startHarness, type Harness } from '../../../support/dynalite-harness.ts';
import { lambdaContext } from '../support.ts';

type Handler = (event: unknown, context: Context) => Promise<{ overdue: number; fired: number; digests: number }>;

let h: Harness;
let handler: Handler;
const ses = mockClient(SESv2Client);

beforeAll(async () => {
  h = await startHarness();
  Object.assign(process.env, {
    ...handlerEnvironment(h),
    // The suite disables metrics; this test is about them. Read when the handler's module loads.
    POWERTOOLS_METRICS_DISABLED: 'false',
  });
  ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
  handler = (await import('../../../../functions/handlers/scheduled/escalate.ts')).handler as unknown as Handler;
});
afterAll(async () => {
  ses.restore();
  await h?.close();
});

const context = lambdaContext();

/** Runs the handler and returns the CloudWatch embedded-metric documents it printed. */
async function run(): Promise<{ result: Awaited<ReturnType<Handler>>; emf: Array<Record<string, any>> }> {
  const lines: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n'));
    return true;
  });
  try {
    const result = await handler({}, context);
    return { result, emf: lines.filter((l) => l.includes('"_aws"')).map((l) => JSON.parse(l)) };
  } finally {
    write.mockRestore();
  }
}

describe('the escalation job', () => {
  it('publishes OverdueRequests in namespace Dsar with the single dimension service=dsar, as the alarm expects', async () => {
    const today = new Date().toISOString().slice(0, 10);
    await putRequest(h, { receivedAt: `${addCalendarDays(today, -40)}T10:00:00Z`, dueDate: addCalendarDays(today, -5) });
    await putRequest(h, { receivedAt: `${addCalendarDays(today, -35)}T10:00:00Z`, dueDate: addCalendarDays(today, -2) });
    await putRequest(h, { receivedAt: `${addCalendarDays(today, -1)}T10:00:00Z` });

    const { result, emf } = await run();

    expect(result.overdue).toBe(2);
    const doc = emf.find((d) => d._aws.CloudWatchMetrics.some((m: { Metrics: Array<{ Name: string }> }) => m.Metrics.some((x) => x.Name === 'OverdueRequests')))!;
    expect(doc).toBeDefined();
    const directive = doc._aws.CloudWatchMetrics[0];
    expect(directive.Namespace).toBe('Dsar');
    // CloudWatch matches a metric by all of its dimensions: any extra one and the alarm sees nothing.
    expect(directive.Dimensions).toEqual([['service']]);
    expect(doc.service).toBe('dsar');
    expect(directive.Metrics).toContainEqual({ Name: 'OverdueRequests', Unit: 'Count' });
    expect(doc.OverdueRequests).toBe(2);
  });
});
