import { describe, expect, it } from 'vitest';
import validator from 'asl-validator';
import { FUNCTIONS } from '../../infra/functions.ts';
import { placeholders, readDefinition, substitute } from '../../infra/asl.ts';

const definition = JSON.parse(readDefinition()) as { States: Record<string, any> };

describe('the workflow definition', () => {
  it('passes asl-validator', () => {
    const result = validator(definition);
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('names only placeholders that some function fills', () => {
    const filled = new Set(FUNCTIONS.map((f) => f.placeholder).filter(Boolean));
    expect(placeholders().filter((p) => !filled.has(p))).toEqual([]);
  });

  it('refuses to substitute when a placeholder has no value', () => {
    expect(() => substitute({})).toThrow(/no value for ASL placeholder/);
  });

  it('gives every waiting task an explicit timeout, since the default would be wrong on both runtimes', () => {
    const waiting = Object.entries(definition.States).filter(([, s]) => String(s.Resource).endsWith('.waitForTaskToken'));
    expect(waiting.map(([name]) => name).sort()).toEqual(['AwaitReview', 'AwaitStaffOnFailures', 'VerifyIdentity']);
    for (const [, state] of waiting) expect(state.TimeoutSecondsPath ?? state.TimeoutSeconds).toBeTruthy();
  });

  it('retries connector throttling and unavailability with jitter and records any other failure', () => {
    for (const name of ['CollectFromConnector', 'EraseWithConnector']) {
      const task = definition.States.Collect.ItemProcessor.States[name];
      const retried = task.Retry.flatMap((r: any) => r.ErrorEquals);
      expect(retried).toEqual(expect.arrayContaining(['ConnectorThrottled', 'ConnectorUnavailable']));
      expect(retried).not.toContain('ConnectorAuthFailed');
      for (const r of task.Retry) expect(r.JitterStrategy).toBe('FULL');
      expect(task.Catch[0]).toMatchObject({ ErrorEquals: ['States.ALL'], Next: 'RecordConnectorFailure' });
    }
    expect(definition.States.Collect.MaxConcurrency).toBeGreaterThan(1);
  });

  it('sends a request with failed connectors to staff before it can be assembled', () => {
    expect(definition.States.Reconcile.Next).toBe('AnyConnectorFailed');
    expect(definition.States.AnyConnectorFailed.Choices[0].Next).toBe('AwaitStaffOnFailures');
    const actions = definition.States.StaffAction.Choices.map((c: any) => [c.StringEquals, c.Next]);
    expect(actions).toEqual([
      ['retry', 'PlanConnectors'],
      ['accept_partial', 'AcceptedPartial'],
      ['cancel', 'NotifyCancelled'],
    ]);
  });

  it('never reports an erasure complete before it is confirmed or accepted by staff', () => {
    expect(definition.States.ChooseAnswer.Choices[0]).toMatchObject({ StringEquals: 'erasure', Next: 'ConfirmErasure' });
    expect(definition.States.ErasureConfirmed.Choices[0]).toMatchObject({ BooleanEquals: true, Next: 'NotifyErased' });
    expect(definition.States.ErasureConfirmed.Default).toBe('AwaitStaffOnFailures');
    const into = Object.entries(definition.States)
      .filter(([, s]: [string, any]) => JSON.stringify(s).includes('"NotifyErased"'))
      .map(([name]) => name)
      .sort();
    expect(into).toEqual(['AcceptedPartial', 'ErasureConfirmed']);
  });

  it('uses neither JSONata nor Assign, which the local interpreter would silently ignore', () => {
    const text = readDefinition();
    expect(text).not.toMatch(/"QueryLanguage"\s*:\s*"JSONata"|"Assign"/);
  });
});
