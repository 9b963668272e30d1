import { afterEach, describe, expect, it } from 'vitest';
import { lambdaArn, startHarness, type Harness } from './harness.ts';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.dispose();
  harness = undefined;
});

const definition = { StartAt: 'Only', States: { Only: { Type: 'Task', Resource: lambdaArn('x'), End: true } } };

async function post(url: string, target: string, body: string): Promise<{ status: number; errorType: string | null; json: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': target },
    body,
  });
  return { status: response.status, errorType: response.headers.get('x-amzn-errortype'), json: await response.json() };
}

describe('local Step Functions endpoint: AWS JSON protocol', () => {
  it('answers an unknown operation with 400 and __type', async () => {
    harness = await startHarness({ m: definition }, async () => null);
    const reply = await post(harness.endpoint.url, 'AWSStepFunctions.CreateStateMachine', '{}');
    expect(reply).toEqual({
      status: 400,
      errorType: 'UnknownOperationException',
      json: { __type: 'UnknownOperationException', message: 'Unknown operation AWSStepFunctions.CreateStateMachine' },
    });
  });

  it('answers a body that is not JSON with 400 and __type', async () => {
    harness = await startHarness({ m: definition }, async () => null);
    const reply = await post(harness.endpoint.url, 'AWSStepFunctions.StartExecution', '{"stateMachineArn":');
    expect(reply.status).toBe(400);
    expect(reply.json).toMatchObject({ __type: 'SerializationException' });
  });

  it('listens on 127.0.0.1 by default', async () => {
    harness = await startHarness({ m: definition }, async () => null);
    expect(harness.endpoint.url).toBe(`http://127.0.0.1:${harness.endpoint.port}`);
  });

  it('refuses a definition with an unsupported resource when it starts', async () => {
    const dynamo = { StartAt: 'Put', States: { Put: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:putItem', Parameters: {}, End: true } } };
    await expect(startHarness({ m: dynamo }, async () => null)).rejects.toThrow(/does not support/);
  });
});
