import { describe, expect, it } from 'vitest';
import { FunctionFaults } from '../../../infra/local/function-faults.ts';

describe('the local runtime\'s function faults', () => {
  it('fail the next calls of a function with the error name given, then let calls through', () => {
    const faults = new FunctionFaults();
    faults.set('assemble', { error: 'MessageRejected', message: 'refused', count: 2 });

    const outcomes = [1, 2, 3].map(() => faults.take('assemble', {}));

    expect(outcomes.map((o) => o && [o.error.name, o.error.message, o.after])).toEqual([['MessageRejected', 'refused', false], ['MessageRejected', 'refused', false], undefined]);
    expect(faults.injected('assemble')).toBe(2);
    expect(faults.take('reconcile', {})).toBeUndefined();
  });

  it('hit only the calls whose payload matches, and fail after the handler when asked', () => {
    const faults = new FunctionFaults();
    faults.set('await-task', { error: 'Lambda.ClientExecutionTimeoutException', count: Infinity, when: (p) => (p as { kind: string }).kind === 'review', after: true });

    expect(faults.take('await-task', { kind: 'verification' })).toBeUndefined();
    expect(faults.take('await-task', { kind: 'review' })).toMatchObject({ after: true });
    expect(faults.take('await-task', { kind: 'review' })).toBeDefined();

    faults.clear('await-task');
    expect(faults.take('await-task', { kind: 'review' })).toBeUndefined();
    expect(faults.injected('await-task')).toBe(2);
  });
});
