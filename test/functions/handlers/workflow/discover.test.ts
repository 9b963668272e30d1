import { describe, expect, it } from 'vitest';
import { handler as discover } from '../../../../functions/handlers/workflow/discover.ts';
import { lambdaContext } from '../support.ts';

const failure = (event: unknown) =>
  discover(event as never, lambdaContext()).then(
    () => undefined,
    (e: Error) => e,
  );

describe('the Discover step refuses malformed input before touching anything', () => {
  it.each([
    ['no request id', {}],
    ['an empty request id', { requestId: '' }],
    ['no input at all', null],
  ])('%s', async (_what, event) => {
    expect(await failure(event)).toMatchObject({ name: 'InvalidStepInput' });
  });
});
