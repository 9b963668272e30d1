import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SendTaskSuccessCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { eventually, lambdaArn, machineArn, startHarness, waitForExecution, type Harness } from './harness.ts';

const definition = {
  StartAt: 'Prepare',
  States: {
    Prepare: { Type: 'Pass', Result: 'prepared', ResultPath: '$.step', Next: 'AwaitExport' },
    AwaitExport: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: lambdaArn('dsar-export'), Payload: { 'id.$': '$.id', 'taskToken.$': '$$.Task.Token' } },
      ResultPath: '$.export',
      TimeoutSeconds: 30,
      Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: 'TimedOut' }],
      Next: 'Deliver',
    },
    Deliver: { Type: 'Task', Resource: lambdaArn('dsar-deliver'), ResultPath: '$.delivered', End: true },
    TimedOut: { Type: 'Pass', End: true },
  },
};

interface Call {
  arn: string;
  payload: Record<string, unknown>;
}

/** An invokeFunction that records calls; dsar-deliver answers only when `deliver` says so. */
function fakeLambdas(deliver: 'answers' | 'hangs'): { calls: Call[]; invoke: (arn: string, payload: unknown) => Promise<unknown> } {
  const calls: Call[] = [];
  const invoke = vi.fn(async (arn: string, payload: unknown) => {
    calls.push({ arn, payload: payload as Record<string, unknown> });
    if (arn === lambdaArn('dsar-deliver') && deliver === 'hangs') return new Promise(() => undefined);
    return arn === lambdaArn('dsar-deliver') ? 'sent' : null;
  });
  return { calls, invoke };
}

let harness: Harness | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await harness?.dispose();
  harness = undefined;
});

describe('local Step Functions endpoint: restart and resume', () => {
  it('keeps a waiting execution across a restart and completes it with the original token', async () => {
    const before = fakeLambdas('answers');
    harness = await startHarness({ dsar: definition }, before.invoke);
    const { executionArn } = await harness.client.send(
      new StartExecutionCommand({ stateMachineArn: machineArn('dsar'), name: 'req-7', input: '{"id":"r7"}' }),
    );
    await eventually(() => before.calls.length === 1);
    const token = before.calls[0]!.payload.taskToken as string;
    await harness.endpoint.close();

    // What is on disk is what the next start resumes from.
    const files = (await readdir(harness.dataDir)).filter((file) => file.endsWith('.json'));
    expect(files).toHaveLength(1);
    const stored = JSON.parse(await readFile(join(harness.dataDir, files[0]!), 'utf8'));
    expect(stored).toMatchObject({
      executionArn,
      status: 'RUNNING',
      lastTopLevelState: { name: 'AwaitExport', input: { id: 'r7', step: 'prepared' } },
      waitingTasks: [{ token, stateName: 'AwaitExport', payload: { id: 'r7', taskToken: token } }],
    });

    const after = fakeLambdas('answers');
    await harness.restart(after.invoke);
    expect((await harness.client.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(after.calls).toEqual([]);

    await harness.client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"file":"r7.zip"}' }));
    const done = await waitForExecution(harness.client, executionArn!);
    expect(JSON.parse(done.output!)).toEqual({ id: 'r7', step: 'prepared', export: { file: 'r7.zip' }, delivered: 'sent' });
    expect(after.calls.map((call) => call.arn)).toEqual([lambdaArn('dsar-deliver')]);

    const history = await harness.client.send(new GetExecutionHistoryCommand({ executionArn }));
    const types = history.events!.map((event) => event.type);
    expect(types.filter((type) => type === 'ExecutionStarted')).toHaveLength(1);
    expect(types.at(-1)).toBe('ExecutionSucceeded');
    expect(history.events!.map((event) => event.id)).toEqual(types.map((_, index) => index + 1));
  });

  it('re-runs the state an execution was in when it was not waiting on a token', async () => {
    const before = fakeLambdas('hangs');
    harness = await startHarness({ dsar: definition }, before.invoke);
    const { executionArn } = await harness.client.send(
      new StartExecutionCommand({ stateMachineArn: machineArn('dsar'), name: 'req-8', input: '{"id":"r8"}' }),
    );
    await eventually(() => before.calls.length === 1);
    await harness.client.send(new SendTaskSuccessCommand({ taskToken: before.calls[0]!.payload.taskToken as string, output: '"r8.zip"' }));
    await eventually(() => before.calls.length === 2);
    await harness.endpoint.close();

    const after = fakeLambdas('answers');
    await harness.restart(after.invoke);
    const done = await waitForExecution(harness.client, executionArn!);
    expect(done.status).toBe('SUCCEEDED');
    expect(after.calls).toEqual([{ arn: lambdaArn('dsar-deliver'), payload: { id: 'r8', step: 'prepared', export: 'r8.zip' } }]);
    expect(JSON.parse(done.output!).delivered).toBe('sent');
  });

  it('times a waiting task out at once when its deadline passed while the endpoint was down', async () => {
    // The clock, not the machine, decides: the task may wait an hour, and the endpoint is down for longer.
    // An endpoint that restarted the wait instead of keeping the deadline would still be waiting (the test
    // would time out); no elapsed time is measured, so a busy machine cannot fail it.
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    const long = structuredClone(definition);
    long.States.AwaitExport.TimeoutSeconds = 3_600;
    const before = fakeLambdas('answers');
    harness = await startHarness({ dsar: long }, before.invoke);
    const { executionArn } = await harness.client.send(
      new StartExecutionCommand({ stateMachineArn: machineArn('dsar'), input: '{"id":"r9"}' }),
    );
    await eventually(() => before.calls.length === 1);
    await harness.endpoint.close();
    vi.setSystemTime(Date.now() + 3_601_000);

    const after = fakeLambdas('answers');
    await harness.restart(after.invoke);
    const done = await waitForExecution(harness.client, executionArn!);
    expect(JSON.parse(done.output!).error).toEqual({ Error: 'States.Timeout', Cause: 'States.Timeout' });
    expect(after.calls).toEqual([]);
  });
});
