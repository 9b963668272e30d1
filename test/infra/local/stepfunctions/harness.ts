import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeExecutionCommand, SFNClient, type DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import {
  startStepFunctionsEndpoint,
  type InvokeFunction,
  type StepFunctionsEndpoint,
} from '../../../../infra/local/stepfunctions/index.ts';

export const ACCOUNT = '000000000000';
export const REGION = 'eu-north-1';
export const lambdaArn = (name: string): string => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
export const machineArn = (name: string): string => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;

export interface Harness {
  endpoint: StepFunctionsEndpoint;
  client: SFNClient;
  dataDir: string;
  /** Starts a fresh endpoint on the same dataDir (after `endpoint.close()`), as after a process restart. */
  restart(invokeFunction?: InvokeFunction): Promise<void>;
  dispose(): Promise<void>;
}

export async function startHarness(
  machines: Record<string, object>,
  invokeFunction: InvokeFunction,
  retryIntervalScale = 1,
): Promise<Harness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'local-sfn-'));
  const start = (invoke: InvokeFunction): Promise<StepFunctionsEndpoint> =>
    startStepFunctionsEndpoint({
      port: 0,
      dataDir,
      retryIntervalScale,
      invokeFunction: invoke,
      stateMachines: Object.entries(machines).map(([name, definition]) => ({
        arn: machineArn(name),
        name,
        definition: JSON.stringify(definition),
      })),
    });
  const harness: Harness = {
    endpoint: await start(invokeFunction),
    client: undefined as unknown as SFNClient,
    dataDir,
    restart: async (invoke = invokeFunction) => {
      harness.client.destroy();
      harness.endpoint = await start(invoke);
      harness.client = clientFor(harness.endpoint.url);
    },
    dispose: async () => {
      harness.client.destroy();
      await harness.endpoint.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  harness.client = clientFor(harness.endpoint.url);
  return harness;
}

function clientFor(url: string): SFNClient {
  return new SFNClient({ endpoint: url, region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
}

/** Polls DescribeExecution until the status leaves RUNNING (or `until` holds). */
export async function waitForExecution(
  client: SFNClient,
  executionArn: string,
  until: (execution: DescribeExecutionCommandOutput) => boolean = (execution) => execution.status !== 'RUNNING',
  timeoutMs = 20_000, // a limit for a stuck execution, not a speed requirement: generous for a busy machine
): Promise<DescribeExecutionCommandOutput> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const execution = await client.send(new DescribeExecutionCommand({ executionArn }));
    if (until(execution)) return execution;
    if (Date.now() > deadline) throw new Error(`execution still ${execution.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Resolves once `predicate` holds, polling every 10 ms. */
export async function eventually(predicate: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}
