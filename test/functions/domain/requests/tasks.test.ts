import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { InvalidToken, SendTaskSuccessCommand, SFNClient, TaskDoesNotExist } from '@aws-sdk/client-sfn';
import { RequestError } from '#commons/errors';
import { completeTask } from '#domain/requests/tasks';
import { REQUEST_ID, requestRecord, testContext, type TestContext } from '../../../support/in-memory-context.ts';

const sfn = mockClient(SFNClient);
let ctx: TestContext;

beforeEach(async () => {
  ctx = testContext();
  await ctx.memory.create(requestRecord());
});
afterEach(() => sfn.reset());

describe('completeTask', () => {
  it('answers 409 when no token is stored', async () => {
    const err = await completeTask(ctx, REQUEST_ID, 'review', {}).catch((e: unknown) => e);

    expect((err as RequestError).status).toBe(409);
    expect(sfn.calls()).toHaveLength(0);
  });

  it.each([
    ['TaskDoesNotExist', () => new TaskDoesNotExist({ message: 'gone', $metadata: {} })],
    ['InvalidToken', () => new InvalidToken({ message: 'bad', $metadata: {} })],
  ])('turns %s into 409 and keeps the token', async (_name, error) => {
    await ctx.memory.putTaskToken(REQUEST_ID, 'review', 't');
    sfn.on(SendTaskSuccessCommand).rejects(error());

    const err = await completeTask(ctx, REQUEST_ID, 'review', {}).catch((e: unknown) => e);

    expect((err as RequestError).status).toBe(409);
    expect(await ctx.memory.taskToken(REQUEST_ID, 'review')).toBe('t');
  });

  it('lets other SDK errors through unchanged (they are 500s, not a caller mistake)', async () => {
    await ctx.memory.putTaskToken(REQUEST_ID, 'review', 't');
    sfn.on(SendTaskSuccessCommand).rejects(new Error('socket hang up'));

    await expect(completeTask(ctx, REQUEST_ID, 'review', {})).rejects.toThrow('socket hang up');
  });
});
