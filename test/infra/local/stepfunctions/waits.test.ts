/**
 * Wait states with SecondsPath inside Map iterations, the shape the workflow uses to wait out a vendor's
 * throttling hint: each iteration waits its own time and runs its task again, and an execution closed
 * during such a wait resumes after a restart.
 */
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { eventually, lambdaArn, machineArn, startHarness, waitForExecution, type Harness } from './harness.ts';

const definition = {
  StartAt: 'PerConnector',
  States: {
    PerConnector: {
      Type: 'Map',
      ItemsPath: '$.items',
      ItemSelector: { 'id.$': '$$.Map.Item.Value.id', 'wait.$': '$$.Map.Item.Value.wait', waits: 0 },
      ItemProcessor: {
        StartAt: 'Work',
        States: {
          Work: { Type: 'Task', Resource: lambdaArn('dsar-work'), ResultPath: '$.result', Next: 'Throttled' },
          Throttled: {
            Type: 'Choice',
            Choices: [{ Variable: '$.result.status', StringEquals: 'throttled', Next: 'WaitOut' }],
            Default: 'Done',
          },
          WaitOut: { Type: 'Wait', SecondsPath: '$.result.waitSeconds', Next: 'Carry' },
          Carry: { Type: 'Pass', Parameters: { 'id.$': '$.id', 'wait.$': '$.wait', 'waits.$': '$.result.waits' }, Next: 'Work' },
          Done: { Type: 'Pass', OutputPath: '$.result', End: true },
        },
      },
      End: true,
    },
  },
};

interface Call {
  id: string;
  waits: number;
}

/** A task that answers "throttled, wait `wait` s" on its first call per item and succeeds after. */
function throttledOnce(calls: Call[]) {
  return async (_arn: string, payload: unknown): Promise<unknown> => {
    const { id, wait, waits } = payload as { id: string; wait: number; waits: number };
    calls.push({ id, waits });
    return waits === 0 ? { status: 'throttled', waitSeconds: wait, waits: waits + 1 } : { status: 'succeeded', id, waits };
  };
}

let harness: Harness | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await harness?.dispose();
  harness = undefined;
});

describe('local Step Functions endpoint: Wait with SecondsPath in Map iterations', () => {
  it('waits each iteration for its own seconds and runs its task again with the carried input', async () => {
    const calls: Call[] = [];
    // The waits the engine asks for are recorded as it arms its timers; how long they took is the machine's business.
    const timers = vi.spyOn(globalThis, 'setTimeout');
    harness = await startHarness({ waits: definition }, throttledOnce(calls));
    const { executionArn } = await harness.client.send(
      new StartExecutionCommand({ stateMachineArn: machineArn('waits'), input: JSON.stringify({ items: [{ id: 'a', wait: 1 }, { id: 'b', wait: 0 }] }) }),
    );

    const done = await waitForExecution(harness.client, executionArn!);

    expect(JSON.parse(done.output!)).toEqual([
      { status: 'succeeded', id: 'a', waits: 1 },
      { status: 'succeeded', id: 'b', waits: 1 },
    ]);
    const a = calls.filter((c) => c.id === 'a');
    expect(a.map((c) => c.waits)).toEqual([0, 1]);
    expect(timers.mock.calls.filter(([, ms]) => ms === 1_000)).toHaveLength(1);
    // b's zero-second wait did not wait for a's: b ran again before a did.
    const order = calls.map((c) => `${c.id}${c.waits}`);
    expect(order.indexOf('b1')).toBeLessThan(order.indexOf('a1'));
  });

  it('resumes an execution closed during the wait and finishes it after a restart', async () => {
    const calls: Call[] = [];
    harness = await startHarness({ waits: definition }, throttledOnce(calls));
    const { executionArn } = await harness.client.send(
      new StartExecutionCommand({ stateMachineArn: machineArn('waits'), name: 'throttled', input: JSON.stringify({ items: [{ id: 'c', wait: 3_600 }] }) }),
    );
    await eventually(() => calls.length === 1);
    // close() must not be held up by the hour-long wait: were it, this test would never get past it.
    await harness.endpoint.close();

    const after: Call[] = [];
    // After the restart the Map iteration runs again from its start, so the task is asked again; this time
    // the vendor lets it through at once.
    await harness.restart(async (arn, payload) => {
      const { id } = payload as { id: string };
      after.push({ id, waits: (payload as { waits: number }).waits });
      return { status: 'succeeded', id, waits: 0 };
    });
    const done = await waitForExecution(harness.client, executionArn!);

    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual([{ status: 'succeeded', id: 'c', waits: 0 }]);
    expect(after.map((c) => c.id)).toEqual(['c']);
  });
});
