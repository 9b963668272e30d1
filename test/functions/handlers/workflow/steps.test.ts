import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { requestIdInput, workflowHandler } from '../../../../functions/handlers/workflow/steps.ts';
import { lambdaContext } from '../support.ts';

describe('workflowHandler', () => {
  it('passes parsed input to the step and returns its result', async () => {
    const handler = workflowHandler(requestIdInput, async ({ requestId }) => ({ seen: requestId }));

    expect(await handler({ requestId: 'dsar_abc12345' }, lambdaContext())).toEqual({ seen: 'dsar_abc12345' });
  });

  it('fails with the error name InvalidStepInput, naming the field, for bad input', async () => {
    const handler = workflowHandler(z.object({ requestId: z.string().min(1), kind: z.enum(['review']) }), async () => 'never');

    const err = (await handler({ requestId: '', kind: 'x' }, lambdaContext()).catch((e: unknown) => e)) as Error;

    expect(err.name).toBe('InvalidStepInput');
    expect(err.message).toContain('requestId');
    expect(err.message).toContain('kind');
  });

  it('keeps a domain error’s name, which the state machine’s Retry and Catch match', async () => {
    const handler = workflowHandler(requestIdInput, async () => {
      const e = new Error('503');
      e.name = 'ConnectorUnavailable';
      throw e;
    });

    await expect(handler({ requestId: 'dsar_abc12345' }, lambdaContext())).rejects.toMatchObject({ name: 'ConnectorUnavailable' });
  });
});
