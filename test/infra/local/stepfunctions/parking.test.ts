import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  GetExecutionHistoryCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  StopExecutionCommand,
  TaskDoesNotExist,
} from '@aws-sdk/client-sfn';
import { StateMachine } from 'aws-local-stepfunctions';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually, lambdaArn, machineArn, startHarness, waitForExecution, type Harness } from './harness.ts';

// A full collection on demand, so the test can see what a waiting execution still holds.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const definition = {
  StartAt: 'Prepare',
  States: {
    Prepare: { Type: 'Pass', Result: 'prepared', ResultPath: '$.step', Next: 'AwaitVerification' },
    AwaitVerification: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: lambdaArn('dsar-verify'), Payload: { 'id.$': '$.id', 'taskToken.$': '$$.Task.Token' } },
      ResultPath: '$.verified',
      Next: 'Deliver',
    },
    Deliver: { Type: 'Task', Resource: lambdaArn('dsar-deliver'), ResultPath: '$.delivered', End: true },
  },
};

/** Every interpreter the endpoint runs, held weakly: collected once nothing keeps it. */
const interpreters: Array<WeakRef<StateMachine>> = [];
const originalRun = StateMachine.prototype.run;

let harness: Harness | undefined;
let calls: Array<{ arn: string; payload: Record<string, unknown> }>;

beforeEach(async () => {
  StateMachine.prototype.run = function (this: StateMachine, ...args: Parameters<StateMachine['run']>) {
    interpreters.push(new WeakRef(this));
    return originalRun.apply(this, args);
  };
  calls = [];
  harness = await startHarness({ dsar: definition }, async (arn, payload) => {
    calls.push({ arn, payload: payload as Record<string, unknown> });
    return arn === lambdaArn('dsar-deliver') ? 'sent' : null;
  });
  // Only the executions' interpreters (the endpoint runs one of its own when it starts).
  interpreters.length = 0;
});

afterEach(async () => {
  StateMachine.prototype.run = originalRun;
  await harness?.dispose();
  harness = undefined;
});

function liveInterpreters(): number {
  collectGarbage();
  return interpreters.filter((ref) => ref.deref() !== undefined).length;
}

/** Resolves once every interpreter started so far has been collected (fails if one is still held). */
async function interpretersCollected(): Promise<void> {
  await eventually(() => liveInterpreters() === 0, 10_000).catch(() => {
    throw new Error(`${liveInterpreters()} of ${interpreters.length} interpreters are still held by waiting executions`);
  });
}

async function startWaiting(names: string[]): Promise<string[]> {
  const arns: string[] = [];
  for (const name of names) {
    const { executionArn } = await harness!.client.send(
      new StartExecutionCommand({ stateMachineArn: machineArn('dsar'), name, input: JSON.stringify({ id: name }) }),
    );
    arns.push(executionArn!);
  }
  await eventually(() => calls.length === names.length);
  return arns;
}

const tokenOf = (id: string): string => calls.find((call) => call.payload.id === id)!.payload.taskToken as string;

describe('local Step Functions endpoint: executions waiting on a token are parked', () => {
  it('keeps no interpreter for an execution that waits on a top-level task token', async () => {
    await startWaiting(['req-1', 'req-2', 'req-3']);
    expect(interpreters).toHaveLength(3);
    await interpretersCollected();
  });

  it('resumes a parked execution with the answer, once, and its history reads as one interpretation', async () => {
    const [executionArn] = await startWaiting(['req-1']);
    await interpretersCollected();

    await harness!.client.send(new SendTaskSuccessCommand({ taskToken: tokenOf('req-1'), output: '{"ok":true}' }));
    const done = await waitForExecution(harness!.client, executionArn!);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ id: 'req-1', step: 'prepared', verified: { ok: true }, delivered: 'sent' });
    // The waiting task's function ran once (not again on resume), then the next state's.
    expect(calls.map((call) => call.arn)).toEqual([lambdaArn('dsar-verify'), lambdaArn('dsar-deliver')]);

    const { events } = await harness!.client.send(new GetExecutionHistoryCommand({ executionArn }));
    const types = events!.map((event) => event.type);
    expect(types).toEqual([
      'ExecutionStarted',
      'PassStateEntered',
      'PassStateExited',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskSucceeded',
      'TaskStateExited',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events!.map((event) => event.id)).toEqual(types.map((_, index) => index + 1));
  });

  it('stops a parked execution as ABORTED without resuming it, and its token is gone', async () => {
    const [executionArn] = await startWaiting(['req-1']);
    await interpretersCollected();

    await harness!.client.send(new StopExecutionCommand({ executionArn, error: 'Cancelled' }));
    const done = await waitForExecution(harness!.client, executionArn!);
    expect(done).toMatchObject({ status: 'ABORTED', error: 'Cancelled' });
    await expect(
      harness!.client.send(new SendTaskSuccessCommand({ taskToken: tokenOf('req-1'), output: '{}' })),
    ).rejects.toBeInstanceOf(TaskDoesNotExist);
    // Nothing resumed it: one interpreter ever, and the next state's function never ran.
    expect(interpreters).toHaveLength(1);
    expect(calls.map((call) => call.arn)).toEqual([lambdaArn('dsar-verify')]);
  });
});
