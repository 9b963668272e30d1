import { describe, expect, it } from 'vitest';
import { handler } from '../../../../functions/handlers/workflow/record-preview.ts';
import { handler as discover } from '../../../../functions/handlers/workflow/discover.ts';
import { lambdaContext } from '../support.ts';

const failure = (event: unknown, fn: (e: never, c: ReturnType<typeof lambdaContext>) => Promise<unknown> = handler as never) =>
  fn(event as never, lambdaContext()).then(
    () => undefined,
    (e: Error) => e,
  );

describe('the preview steps refuse malformed input before touching anything', () => {
  it('record-preview: a negative or fractional count, or a status it does not know', async () => {
    for (const results of [
      [{ connectorId: 'hubspot', status: 'counted', objects: { notes: -1 } }],
      [{ connectorId: 'hubspot', status: 'counted', objects: { notes: 1.5 } }],
      [{ connectorId: 'hubspot', status: 'exported', objects: {} }],
    ]) {
      const err = await failure({ requestId: 'dsar_abc12345', results });
      expect(err).toMatchObject({ name: 'InvalidStepInput' });
    }
  });

  it('discover: no connector named', async () => {
    expect(await failure({ requestId: 'dsar_abc12345' }, discover as never)).toMatchObject({ name: 'InvalidStepInput', message: expect.stringContaining('connectorId') });
  });
});
