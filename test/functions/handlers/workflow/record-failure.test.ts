import { afterEach, describe, expect, it, vi } from 'vitest';
import { emfDuring, lambdaContext } from '../support.ts';

// Metrics are off in the test configuration; Powertools reads the switch when the Metrics instance is made.
vi.hoisted(() => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
});
const fakeCtx = vi.hoisted(() => ({ tag: 'test context' }));
const domain = vi.hoisted(() => ({
  recordFailure: vi.fn(async (_ctx: unknown, _requestId: string, caught: Record<string, unknown>) => ({ step: Object.keys(caught)[0], closed: false, staffSeconds: 60 })),
}));
vi.mock('#domain/context', () => ({ appContext: () => fakeCtx }));
vi.mock('#domain/workflow/attention', () => ({ recordFailure: domain.recordFailure }));

const { handler } = await import('../../../../functions/handlers/workflow/record-failure.ts');

afterEach(() => {
  vi.clearAllMocks();
});

describe('the RecordFailure step', () => {
  it('hands the caught step to the domain, answers for the Choice after it, and publishes WorkflowStepFailures', async () => {
    let out: unknown;
    const docs = await emfDuring(async () => {
      out = await handler({ requestId: 'dsar_abc12345', caught: { Assemble: { Error: 'MessageRejected', Cause: '{}' } } }, lambdaContext());
    });

    expect(out).toEqual({ step: 'Assemble', closed: false, staffSeconds: 60 });
    expect(domain.recordFailure.mock.calls[0]!.slice(0, 2)).toEqual([fakeCtx, 'dsar_abc12345']);
    const doc = docs.find((d) => 'WorkflowStepFailures' in d)!;
    expect(doc.WorkflowStepFailures).toBe(1);
    expect(doc._aws.CloudWatchMetrics[0].Namespace).toBe('Dsar');
  });

  it('refuses an input without the caught errors as InvalidStepInput', async () => {
    await expect(handler({ requestId: 'dsar_abc12345' }, lambdaContext())).rejects.toMatchObject({ name: 'InvalidStepInput' });
    expect(domain.recordFailure).not.toHaveBeenCalled();
  });
});
