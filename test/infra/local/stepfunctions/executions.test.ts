import {
  ExecutionAlreadyExists,
  GetExecutionHistoryCommand,
  InvalidExecutionInput,
  ListExecutionsCommand,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  ExecutionDoesNotExist,
} from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { lambdaArn, machineArn, namedError, startHarness, waitForExecution, type Harness } from './harness.ts';

const simple = {
  StartAt: 'Collect',
  States: {
    Collect: { Type: 'Task', Resource: lambdaArn('dsar-collect'), ResultPath: '$.collected', Next: 'Decide' },
    Decide: {
      Type: 'Choice',
      Choices: [{ Variable: '$.collected.count', NumericGreaterThan: 0, Next: 'Invoke' }],
      Default: 'Nothing',
    },
    Invoke: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: lambdaArn('dsar-report'), 'Payload.$': '$.collected' },
      ResultSelector: { 'report.$': '$.Payload', 'status.$': '$.StatusCode' },
      Next: 'Done',
    },
    Nothing: { Type: 'Fail', Error: 'NothingFound', Cause: 'no data' },
    Done: { Type: 'Succeed' },
  },
};

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.dispose();
  harness = undefined;
});

describe('local Step Functions endpoint: executions', () => {
  it('starts an execution and describes it to SUCCEEDED with the output, with the history in order', async () => {
    const invoke = vi.fn(async (arn: string, payload: unknown) =>
      arn.endsWith('dsar-collect') ? { count: 2 } : { arn, payload },
    );
    harness = await startHarness({ dsar: simple }, invoke);
    const started = await harness.client.send(
      new StartExecutionCommand({ stateMachineArn: machineArn('dsar'), name: 'req-1', input: '{"id":"r1"}' }),
    );
    expect(started.executionArn).toBe('arn:aws:states:eu-north-1:000000000000:execution:dsar:req-1');
    expect(started.startDate).toBeInstanceOf(Date);

    const done = await waitForExecution(harness.client, started.executionArn!);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.stopDate).toBeInstanceOf(Date);
    expect(JSON.parse(done.output!)).toEqual({ report: { arn: lambdaArn('dsar-report'), payload: { count: 2 } }, status: 200 });
    expect(invoke).toHaveBeenCalledWith(lambdaArn('dsar-collect'), { id: 'r1' });

    const history = await harness.client.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn! }));
    const types = history.events!.map((event) => event.type);
    expect(types).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskSucceeded',
      'TaskStateExited',
      'ChoiceStateEntered',
      'ChoiceStateExited',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskSucceeded',
      'TaskStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
    expect(history.events!.map((event) => event.id)).toEqual(types.map((_, index) => index + 1));
    expect(history.events![1]!.stateEnteredEventDetails).toEqual({ name: 'Collect', input: '{"id":"r1"}' });
  });

  it('pages and reverses the history', async () => {
    harness = await startHarness({ dsar: simple }, async () => ({ count: 1 }));
    const { executionArn } = await harness.client.send(new StartExecutionCommand({ stateMachineArn: machineArn('dsar') }));
    await waitForExecution(harness.client, executionArn!);
    const first = await harness.client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 5 }));
    const second = await harness.client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 5, nextToken: first.nextToken }));
    expect(first.events!.map((event) => event.id)).toEqual([1, 2, 3, 4, 5]);
    expect(second.events!.map((event) => event.id)).toEqual([6, 7, 8, 9, 10]);
    const reversed = await harness.client.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 1 }));
    expect(reversed.events![0]!.type).toBe('ExecutionSucceeded');
  });

  it('fails the execution with the Fail state error and cause', async () => {
    harness = await startHarness({ dsar: simple }, async () => ({ count: 0 }));
    const { executionArn } = await harness.client.send(new StartExecutionCommand({ stateMachineArn: machineArn('dsar') }));
    const done = await waitForExecution(harness.client, executionArn!);
    expect(done).toMatchObject({ status: 'FAILED', error: 'NothingFound', cause: 'no data' });
  });

  it('starts an execution once per name and input, and refuses the name with another input', async () => {
    let release: () => void = () => undefined;
    const invoke = vi.fn((arn: string) =>
      arn === lambdaArn('dsar-collect')
        ? new Promise<unknown>((resolve) => (release = () => resolve({ count: 1 })))
        : Promise.resolve({ report: true }),
    );
    harness = await startHarness({ dsar: simple }, invoke);
    const request = { stateMachineArn: machineArn('dsar'), name: 'same', input: '{"a":1}' };
    const first = await harness.client.send(new StartExecutionCommand(request));
    const again = await harness.client.send(new StartExecutionCommand(request));
    expect(again.executionArn).toBe(first.executionArn);
    await expect(harness.client.send(new StartExecutionCommand({ ...request, input: '{"a":2}' }))).rejects.toBeInstanceOf(
      ExecutionAlreadyExists,
    );
    release();
    await waitForExecution(harness.client, first.executionArn!);
    // Once closed, even the same input is a clash.
    await expect(harness.client.send(new StartExecutionCommand(request))).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    expect(invoke.mock.calls.filter(([arn]) => arn === lambdaArn('dsar-collect'))).toHaveLength(1);
    const listed = await harness.client.send(new ListExecutionsCommand({ stateMachineArn: machineArn('dsar'), statusFilter: 'SUCCEEDED' }));
    expect(listed.executions!.map((execution) => execution.name)).toEqual(['same']);
  });

  it('rejects unknown state machines, bad input and unknown executions with the named exceptions', async () => {
    harness = await startHarness({ dsar: simple }, async () => ({ count: 1 }));
    await expect(harness.client.send(new StartExecutionCommand({ stateMachineArn: machineArn('nope') }))).rejects.toBeInstanceOf(
      StateMachineDoesNotExist,
    );
    await expect(
      harness.client.send(new StartExecutionCommand({ stateMachineArn: machineArn('dsar'), input: '{not json' })),
    ).rejects.toBeInstanceOf(InvalidExecutionInput);
    await expect(
      waitForExecution(harness.client, 'arn:aws:states:eu-north-1:000000000000:execution:dsar:missing'),
    ).rejects.toBeInstanceOf(ExecutionDoesNotExist);
  });

  it('retries a named error with backoff, then succeeds', async () => {
    const definition = {
      StartAt: 'Collect',
      States: {
        Collect: {
          Type: 'Task',
          Resource: lambdaArn('dsar-collect'),
          Retry: [{ ErrorEquals: ['ConnectorThrottled'], IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 3 }],
          End: true,
        },
      },
    };
    let calls = 0;
    const invoke = vi.fn(async () => {
      calls++;
      if (calls < 3) throw namedError('ConnectorThrottled', 'slow down');
      return { ok: true };
    });
    // Scale 0.05: 1 s then 2 s become 50 ms then 100 ms. The waits asked for are recorded as the engine
    // arms its timers (the harness polls every 10-20 ms); how long they really took is the machine's business.
    const timers = vi.spyOn(globalThis, 'setTimeout');
    // Sub-second timers of 40 ms or more: the HTTP layer's 3 s timers and the endpoint's long timers are not retries.
    const retryWaits = () => timers.mock.calls.map(([, ms]) => Math.round(ms ?? 0)).filter((ms) => ms >= 40 && ms < 1_000);
    harness = await startHarness({ retry: definition }, invoke, 0.05);
    const { executionArn } = await harness.client.send(new StartExecutionCommand({ stateMachineArn: machineArn('retry') }));
    const done = await waitForExecution(harness.client, executionArn!);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ ok: true });
    expect(invoke).toHaveBeenCalledTimes(3);
    expect(retryWaits()).toEqual([50, 100]);
    timers.mockRestore();
  });

  it('catches the named error with {Error, Cause} once retries are exhausted', async () => {
    const definition = {
      StartAt: 'Collect',
      States: {
        Collect: {
          Type: 'Task',
          Resource: lambdaArn('dsar-collect'),
          Retry: [{ ErrorEquals: ['ConnectorThrottled'], IntervalSeconds: 1, MaxAttempts: 2, JitterStrategy: 'FULL' }],
          Catch: [{ ErrorEquals: ['ConnectorThrottled'], ResultPath: '$.error', Next: 'Failed' }],
          End: true,
        },
        Failed: { Type: 'Pass', End: true },
      },
    };
    const invoke = vi.fn(async () => {
      throw namedError('ConnectorThrottled', 'slow down');
    });
    harness = await startHarness({ catcher: definition }, invoke, 0.01);
    const { executionArn } = await harness.client.send(
      new StartExecutionCommand({ stateMachineArn: machineArn('catcher'), input: '{"id":"r"}' }),
    );
    const done = await waitForExecution(harness.client, executionArn!);
    expect(invoke).toHaveBeenCalledTimes(3);
    expect(JSON.parse(done.output!)).toEqual({
      id: 'r',
      error: { Error: 'ConnectorThrottled', Cause: JSON.stringify({ errorType: 'ConnectorThrottled', errorMessage: 'slow down' }) },
    });
  });

  it('runs Map iterations concurrently up to MaxConcurrency, retrying each iteration on its own', async () => {
    const definition = {
      StartAt: 'PerConnector',
      States: {
        PerConnector: {
          Type: 'Map',
          ItemsPath: '$.connectors',
          MaxConcurrency: 2,
          ItemProcessor: {
            StartAt: 'Export',
            States: {
              Export: {
                Type: 'Task',
                Resource: lambdaArn('dsar-export'),
                Retry: [{ ErrorEquals: ['ConnectorThrottled'], IntervalSeconds: 2, BackoffRate: 3, MaxAttempts: 2, JitterStrategy: 'FULL' }],
                End: true,
              },
            },
          },
          ResultPath: '$.exports',
          End: true,
        },
      },
    };
    let running = 0;
    let maxRunning = 0;
    const attempts = new Map<string, number>();
    const invoke = vi.fn(async (_arn: string, item: unknown) => {
      const name = item as string;
      attempts.set(name, (attempts.get(name) ?? 0) + 1);
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((resolve) => setTimeout(resolve, 100));
      running--;
      if (name === 'stripe' && attempts.get(name) === 1) throw namedError('ConnectorThrottled', '429');
      return `${name}-done`;
    });
    harness = await startHarness({ map: definition }, invoke, 0.01);
    const { executionArn } = await harness.client.send(
      new StartExecutionCommand({
        stateMachineArn: machineArn('map'),
        input: JSON.stringify({ connectors: ['salesforce', 'stripe', 'hubspot', 'analytics'] }),
      }),
    );
    const done = await waitForExecution(harness.client, executionArn!);
    expect(JSON.parse(done.output!).exports).toEqual(['salesforce-done', 'stripe-done', 'hubspot-done', 'analytics-done']);
    // Two ran at once, never more: the concurrency itself, not the time it saved, which depends on the machine.
    expect(maxRunning).toBe(2);
    expect(attempts.get('stripe')).toBe(2);
    const history = await harness.client.send(new GetExecutionHistoryCommand({ executionArn }));
    const types = history.events!.map((event) => event.type);
    expect(types.filter((type) => type === 'MapIterationStarted')).toHaveLength(4);
    expect(types).toContain('TaskFailed');
  });
});
