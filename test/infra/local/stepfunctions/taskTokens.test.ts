import {
  DescribeExecutionCommand,
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  StopExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { eventually, lambdaArn, machineArn, startHarness, waitForExecution, type Harness } from './harness.ts';

/** A waitForTaskToken state whose Catch routes ConnectorFailed and States.Timeout to distinct Pass states. */
function waiting(timeout: Record<string, unknown> = {}): object {
  return {
    StartAt: 'AwaitExport',
    States: {
      AwaitExport: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
        Parameters: { FunctionName: lambdaArn('dsar-export'), Payload: { 'id.$': '$.id', 'taskToken.$': '$$.Task.Token' } },
        ResultPath: '$.export',
        ...timeout,
        Catch: [
          { ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: 'TimedOut' },
          { ErrorEquals: ['States.TaskFailed'], ResultPath: '$.error', Next: 'Failed' },
        ],
        End: true,
      },
      TimedOut: { Type: 'Pass', End: true },
      Failed: { Type: 'Pass', End: true },
    },
  };
}

interface Sent {
  arn: string;
  payload: { id: string; taskToken: string };
}

let harness: Harness | undefined;
afterEach(async () => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  await harness?.dispose();
  harness = undefined;
});

/**
 * Heartbeat timers held instead of armed: the test says when a heartbeat deadline passes, so how fast the
 * machine sends heartbeats cannot decide the outcome. Other timers run as usual.
 */
function holdHeartbeatTimers(): { live(): HeldTimer[]; armed(): number } {
  const held: HeldTimer[] = [];
  const cleared = new Set<unknown>();
  const realSetTimeout = globalThis.setTimeout;
  const realClearTimeout = globalThis.clearTimeout;
  vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms?: number, ...rest: unknown[]) => {
    if (!new Error().stack?.includes('restartHeartbeat')) return realSetTimeout(fn, ms, ...rest);
    const handle = realSetTimeout(() => undefined, 2_000_000_000).unref();
    held.push({ fire: fn, handle });
    return handle;
  }) as typeof setTimeout);
  vi.spyOn(globalThis, 'clearTimeout').mockImplementation((handle) => {
    cleared.add(handle);
    realClearTimeout(handle);
  });
  return { live: () => held.filter((t) => !cleared.has(t.handle)), armed: () => held.length };
}

interface HeldTimer {
  fire(): void;
  handle: NodeJS.Timeout;
}

async function startWaiting(definition: object, ids: string[]): Promise<{ sent: Sent[]; arns: string[] }> {
  const sent: Sent[] = [];
  harness = await startHarness({ wait: definition }, async (arn, payload) => {
    sent.push({ arn, payload: payload as Sent['payload'] });
    return null;
  });
  const arns: string[] = [];
  for (const id of ids) {
    const started = await harness.client.send(
      new StartExecutionCommand({ stateMachineArn: machineArn('wait'), name: id, input: JSON.stringify({ id }) }),
    );
    arns.push(started.executionArn!);
  }
  await eventually(() => sent.length === ids.length);
  return { sent, arns };
}

describe('local Step Functions endpoint: task tokens', () => {
  it('gives each waiting task its own token and resumes with the SendTaskSuccess output', async () => {
    const { sent, arns } = await startWaiting(waiting(), ['a', 'b']);
    const tokenOf = (id: string): string => sent.find((call) => call.payload.id === id)!.payload.taskToken;
    expect(sent[0]!.arn).toBe(lambdaArn('dsar-export'));
    expect(tokenOf('a')).not.toBe(tokenOf('b'));
    expect(tokenOf('a')).toMatch(/^[A-Za-z0-9_-]{64}$/);

    await harness!.client.send(new SendTaskHeartbeatCommand({ taskToken: tokenOf('b') }));
    await harness!.client.send(new SendTaskSuccessCommand({ taskToken: tokenOf('b'), output: '{"file":"b.zip"}' }));
    const b = await waitForExecution(harness!.client, arns[1]!);
    expect(JSON.parse(b.output!)).toEqual({ id: 'b', export: { file: 'b.zip' } });
    const a = await harness!.client.send(new DescribeExecutionCommand({ executionArn: arns[0] }));
    expect(a.status).toBe('RUNNING');

    await expect(
      harness!.client.send(new SendTaskSuccessCommand({ taskToken: tokenOf('b'), output: '{}' })),
    ).rejects.toBeInstanceOf(TaskDoesNotExist);
    await expect(harness!.client.send(new SendTaskHeartbeatCommand({ taskToken: 'not a token' }))).rejects.toBeInstanceOf(InvalidToken);
  });

  it('times a task with HeartbeatSeconds out without heartbeats, and keeps one alive that sends them', async () => {
    const definition = {
      StartAt: 'AwaitExport',
      States: {
        AwaitExport: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
          Parameters: { FunctionName: lambdaArn('dsar-export'), Payload: { 'id.$': '$.id', 'taskToken.$': '$$.Task.Token' } },
          ResultPath: '$.export',
          TimeoutSeconds: 30,
          HeartbeatSeconds: 1,
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Caught' }],
          End: true,
        },
        Caught: { Type: 'Pass', End: true },
      },
    };
    const heartbeats = holdHeartbeatTimers();
    const { sent, arns } = await startWaiting(definition, ['silent', 'beating']);
    const tokenOf = (id: string): string => sent.find((call) => call.payload.id === id)!.payload.taskToken;
    const armedAtStart = heartbeats.live();
    expect(armedAtStart).toHaveLength(2);

    // Each heartbeat from "beating" replaces its heartbeat timer with a fresh one.
    await harness!.client.send(new SendTaskHeartbeatCommand({ taskToken: tokenOf('beating') }));
    await harness!.client.send(new SendTaskHeartbeatCommand({ taskToken: tokenOf('beating') }));
    expect(heartbeats.armed()).toBe(4);
    const live = heartbeats.live();
    expect(live).toHaveLength(2);
    // The heartbeat deadline passes: "silent" still has the timer it got at the start, "beating" a fresh one.
    const silentTimer = armedAtStart.find((t) => live.includes(t))!;
    silentTimer.fire();

    const silent = await waitForExecution(harness!.client, arns[0]!);
    expect(JSON.parse(silent.output!).error.Error).toBe('States.HeartbeatTimeout');
    await expect(harness!.client.send(new SendTaskHeartbeatCommand({ taskToken: tokenOf('silent') }))).rejects.toBeInstanceOf(TaskTimedOut);
    expect((await harness!.client.send(new DescribeExecutionCommand({ executionArn: arns[1] }))).status).toBe('RUNNING');
    await harness!.client.send(new SendTaskSuccessCommand({ taskToken: tokenOf('beating'), output: '"alive"' }));
    const beating = await waitForExecution(harness!.client, arns[1]!);
    expect(JSON.parse(beating.output!)).toEqual({ id: 'beating', export: 'alive' });
  });

  it('fails the task on SendTaskFailure so the Catch on its error applies', async () => {
    const { sent, arns } = await startWaiting(waiting(), ['c']);
    await harness!.client.send(
      new SendTaskFailureCommand({ taskToken: sent[0]!.payload.taskToken, error: 'ConnectorFailed', cause: 'account locked' }),
    );
    const done = await waitForExecution(harness!.client, arns[0]!);
    expect(JSON.parse(done.output!)).toEqual({ id: 'c', error: { Error: 'ConnectorFailed', Cause: 'account locked' } });
  });

  it('times out a waiting task after TimeoutSeconds into the States.Timeout Catch, not States.TaskFailed', async () => {
    const { sent, arns } = await startWaiting(waiting({ TimeoutSeconds: 1 }), ['d']);
    const done = await waitForExecution(harness!.client, arns[0]!);
    expect(JSON.parse(done.output!)).toEqual({ id: 'd', error: { Error: 'States.Timeout', Cause: 'States.Timeout' } });
    await expect(
      harness!.client.send(new SendTaskSuccessCommand({ taskToken: sent[0]!.payload.taskToken, output: '{}' })),
    ).rejects.toBeInstanceOf(TaskTimedOut);
  });

  it('reads the timeout from TimeoutSecondsPath', async () => {
    const definition = waiting({ TimeoutSecondsPath: '$.limits.exportSeconds' });
    const sent: Sent[] = [];
    harness = await startHarness({ wait: definition }, async (arn, payload) => {
      sent.push({ arn, payload: payload as Sent['payload'] });
      return null;
    });
    // A still clock makes the deadline's timer exactly the path's 1 s (the default would be 60 s); the timer
    // itself runs for real. What is asserted is the wait asked for, not how long it took.
    vi.useFakeTimers({ toFake: ['Date'] });
    const timers = vi.spyOn(globalThis, 'setTimeout');
    const { executionArn } = await harness.client.send(
      new StartExecutionCommand({ stateMachineArn: machineArn('wait'), input: JSON.stringify({ id: 'e', limits: { exportSeconds: 1 } }) }),
    );
    const done = await waitForExecution(harness.client, executionArn!);
    expect(timers.mock.calls.filter(([, ms]) => ms === 1_000)).toHaveLength(1);
    expect(JSON.parse(done.output!).error.Error).toBe('States.Timeout');
  });

  it('gives the waiting tasks of Map iterations different tokens', async () => {
    const definition = {
      StartAt: 'PerConnector',
      States: {
        PerConnector: {
          Type: 'Map',
          ItemsPath: '$.ids',
          ItemSelector: { 'id.$': '$$.Map.Item.Value' },
          ItemProcessor: { StartAt: 'Await', States: { Await: (waiting() as { States: { AwaitExport: object } }).States.AwaitExport } },
          End: true,
        },
      },
    };
    // The Catch targets live at the top level in `waiting()`; in the iterator the task just ends.
    const iterator = definition.States.PerConnector.ItemProcessor.States.Await as Record<string, unknown>;
    delete iterator.Catch;
    const sent: Sent[] = [];
    harness = await startHarness({ map: definition }, async (arn, payload) => {
      sent.push({ arn, payload: payload as Sent['payload'] });
      return null;
    });
    const { executionArn } = await harness.client.send(
      new StartExecutionCommand({ stateMachineArn: machineArn('map'), input: JSON.stringify({ ids: ['x', 'y', 'z'] }) }),
    );
    await eventually(() => sent.length === 3);
    expect(new Set(sent.map((call) => call.payload.taskToken)).size).toBe(3);
    for (const call of sent) {
      await harness.client.send(new SendTaskSuccessCommand({ taskToken: call.payload.taskToken, output: JSON.stringify(call.payload.id) }));
    }
    const done = await waitForExecution(harness.client, executionArn!);
    expect(JSON.parse(done.output!)).toEqual([
      { id: 'x', export: 'x' },
      { id: 'y', export: 'y' },
      { id: 'z', export: 'z' },
    ]);
  });

  it('stops an execution as ABORTED and kills its token', async () => {
    const { sent, arns } = await startWaiting(waiting(), ['f']);
    const stopped = await harness!.client.send(new StopExecutionCommand({ executionArn: arns[0], error: 'Cancelled', cause: 'by staff' }));
    expect(stopped.stopDate).toBeInstanceOf(Date);
    const done = await harness!.client.send(new DescribeExecutionCommand({ executionArn: arns[0] }));
    expect(done).toMatchObject({ status: 'ABORTED', error: 'Cancelled', cause: 'by staff' });
    await expect(
      harness!.client.send(new SendTaskSuccessCommand({ taskToken: sent[0]!.payload.taskToken, output: '{}' })),
    ).rejects.toBeInstanceOf(TaskDoesNotExist);
  });
});
