import { describe, expect, it } from 'vitest';
import validator from 'asl-validator';
import { StateMachine } from 'aws-local-stepfunctions';
import { FUNCTIONS } from '../../infra/functions.ts';
import { placeholders, readDefinition, substitute } from '../../infra/asl.ts';
import { RETRYABLE_STEPS } from '../../functions/domain/workflow/attention.ts';
import { DISCOVERY_BUDGET_MS } from '../../functions/domain/workflow/discover.ts';
import { withWorkers } from '../../functions/domain/workflow/plan.ts';
import { VendorThrottled } from '../../functions/domain/workflow/throttle.ts';
import { DuplicateRequest, ReopenedRequest, VerificationWaived } from '../../functions/domain/workflow/receipt.ts';
import { lambdaError } from '../../infra/local/stepfunctions/taskErrors.ts';

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
    expect(waiting.map(([name]) => name).sort()).toEqual(['AwaitLifting', 'AwaitRelease', 'AwaitReview', 'AwaitStaffOnFailures', 'NeedsAttention', 'VerifyIdentity']);
    for (const [, state] of waiting) expect(state.TimeoutSecondsPath ?? state.TimeoutSeconds).toBeTruthy();
  });

  it('retries the closing steps on any task failure, since a failure there would end the execution with the subject never told', () => {
    for (const name of ['NotifySubject', 'NotifyErased', 'NotifyOptedOut', 'NotifyRestricted', 'NotifyLifted', 'NotifyDenied', 'NotifyCancelled', 'CloseUnverified']) {
      const retried = definition.States[name].Retry.flatMap((r: any) => r.ErrorEquals);
      expect({ name, retried }).toEqual({ name, retried: expect.arrayContaining(['States.TaskFailed']) });
    }
  });

  it('waits for staff to release an assembled package when the type says so, builds it once more after the release and sends it, and sends it at once otherwise', () => {
    const s = definition.States;
    expect(s.Assemble.Next).toBe('ChooseRelease');
    expect(s.ChooseRelease.Choices).toEqual([
      { Not: { Variable: '$.receipt.release', IsPresent: true }, Next: 'NotifySubject' },
      // Nothing held: no package was built, so there is nothing to review before the nothing-held mail.
      { And: [{ Variable: '$.package.key', IsPresent: true }, { Variable: '$.package.key', StringEquals: '' }], Next: 'NotifySubject' },
      { Variable: '$.release', IsPresent: true, Next: 'NotifySubject' },
      { Variable: '$.receipt.release', StringEquals: 'staff', Next: 'AwaitRelease' },
    ]);
    expect(s.ChooseRelease.Default).toBe('NotifySubject');
    expect(s.AwaitRelease).toMatchObject({
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { Payload: { kind: 'release' } },
      TimeoutSecondsPath: '$.receipt.timeouts.staffSeconds',
      ResultPath: '$.release',
      // The released package is built once more, then sent: no second pass through ChooseRelease.
      Next: 'AssembleReleased',
    });
    const { Comment: _a, Catch: assembleCatch, Next: _n, ...assemble } = s.Assemble;
    const { Comment: _b, Catch: releasedCatch, Next: releasedNext, ...released } = s.AssembleReleased;
    expect(released).toEqual(assemble);
    expect(releasedNext).toBe('NotifySubject');
    expect(releasedCatch).toEqual([{ ...assembleCatch[0], ResultPath: '$.caught.AssembleReleased' }]);
    // A timeout asks staff again (the deadline's escalation keeps chasing); anything else needs attention.
    expect(s.AwaitRelease.Catch.map((c: any) => [c.ErrorEquals[0], c.Next])).toEqual([
      ['States.Timeout', 'AwaitRelease'],
      ['States.ALL', 'RecordFailure'],
    ]);
  });

  it.each([
    ['staff release, not yet released', { receipt: { release: 'staff' } }, 'AwaitRelease'],
    ['staff release, released', { receipt: { release: 'staff' }, release: { action: 'release' } }, 'NotifySubject'],
    ['automatic release', { receipt: { release: 'automatic' } }, 'NotifySubject'],
    ['staff release of a package with records', { receipt: { release: 'staff' }, package: { key: 'k', records: 3, bytes: 9 } }, 'AwaitRelease'],
    ['staff release with nothing held', { receipt: { release: 'staff' }, package: { key: '', records: 0, bytes: 0 } }, 'NotifySubject'],
    ['staff release of a package that only lists systems accepted as missing', { receipt: { release: 'staff' }, package: { key: 'k', records: 0, bytes: 9 } }, 'AwaitRelease'],
    ['a receipt from before the setting', { receipt: {} }, 'NotifySubject'],
  ])('routes %s on an interpreter', async (_case, input, expected) => {
    const pass = (name: string) => ({ Type: 'Pass', Result: name, End: true });
    const machine = new StateMachine({
      StartAt: 'ChooseRelease',
      States: { ChooseRelease: definition.States.ChooseRelease, AwaitRelease: pass('AwaitRelease'), NotifySubject: pass('NotifySubject') },
    } as never);
    expect(await machine.run(input).result).toBe(expected);
  });

  it('retries connector throttling and unavailability with jitter and records any other failure', () => {
    const task = definition.States.Collect.ItemProcessor.States.WorkWithConnector;
    const retried = task.Retry.flatMap((r: any) => r.ErrorEquals);
    expect(retried).toEqual(expect.arrayContaining(['ConnectorThrottled', 'ConnectorUnavailable']));
    expect(retried).not.toContain('ConnectorAuthFailed');
    expect(retried).not.toContain('VendorThrottled');
    for (const r of task.Retry) expect(r.JitterStrategy).toBe('FULL');
    expect(task.Catch.at(-1)).toMatchObject({ ErrorEquals: ['States.ALL'], Next: 'RecordConnectorFailure' });
    expect(definition.States.Collect.MaxConcurrency).toBeGreaterThan(1);
  });

  it('runs one Task per connector on the happy path, the function the plan named, whose result is the iteration\'s output', () => {
    const map = definition.States.Collect;
    expect(map.ItemProcessor.StartAt).toBe('WorkWithConnector');
    expect(map.ItemSelector).toMatchObject({ 'worker.$': '$$.Map.Item.Value.worker', throttle: { throttleWaits: 0, waitedSeconds: 0 } });
    expect(map.ItemProcessor.States.WorkWithConnector).toMatchObject({
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { 'FunctionName.$': '$.worker', Payload: { 'throttleWaits.$': '$.throttle.throttleWaits', 'waitedSeconds.$': '$.throttle.waitedSeconds' } },
      OutputPath: '$.Payload',
      End: true,
    });
    // The plan picks between exactly the two functions the definition hands it: collect, and act.
    expect(definition.States.PlanConnectors.Parameters).toEqual({ 'requestId.$': '$.requestId', workers: { collect: '$' + '{CollectFunctionArn}', act: '$' + '{ActFunctionArn}' } });
  });

  it("waits out a vendor's throttling hint on the exception path and runs the same step again", () => {
    const states = definition.States.Collect.ItemProcessor.States;
    expect(states.WorkWithConnector.Catch[0]).toEqual({ ErrorEquals: ['VendorThrottled'], ResultPath: '$.throttled', Next: 'ReadThrottleHint' });
    expect(states.ReadThrottleHint.Next).toBe('CarryThrottleWaits');
    expect(states.CarryThrottleWaits).toMatchObject({
      Parameters: { 'requestId.$': '$.requestId', 'connectorId.$': '$.connectorId', 'mode.$': '$.mode', 'worker.$': '$.worker' },
      Next: 'WaitOutThrottling',
    });
    expect(states.WaitOutThrottling).toMatchObject({ Type: 'Wait', SecondsPath: '$.throttle.waitSeconds', Next: 'WorkWithConnector' });
  });

  it.each([
    ['collect', 'collect-fn'],
    ['erase', 'act-fn'],
    ['suppress', 'act-fn'],
  ])('runs the %s throttle loop on an interpreter until the step answers, with the counters carried over, the Lambda error as AWS shapes it', async (mode, worker) => {
    const { Next: _next, ...collect } = definition.States.Collect;
    const machine = new StateMachine({ StartAt: 'Collect', States: { Collect: { ...collect, End: true } } } as never, {
      validationOptions: { noValidate: true },
    });
    const calls: Array<Record<string, any>> = [];
    const step = async (input: Record<string, any>) => {
      calls.push(input);
      const n = calls.length;
      if (n < 3) throw lambdaError(new VendorThrottled({ connectorId: 'hubspot', status: 'throttled', waitSeconds: 60, throttleWaits: n, waitedSeconds: 60 * n }));
      return { Payload: { connectorId: input.Payload.connectorId, status: 'succeeded', records: 2, objects: { contacts: 2 }, stagingKeys: {} }, StatusCode: 200 };
    };
    const run = machine.run(
      { requestId: 'r1', plan: withWorkers({ connectors: [{ requestId: 'r1', connectorId: 'hubspot', mode: mode as 'collect' }] }, { collect: 'collect-fn', act: 'act-fn' }) } as never,
      { overrides: { taskResourceLocalHandlers: { WorkWithConnector: step as never }, waitTimeOverrides: { WaitOutThrottling: 1 } } },
    );

    const out = (await run.result) as { collected: unknown[] };

    const payload = (throttleWaits: number, waitedSeconds: number) => ({ FunctionName: worker, Payload: { requestId: 'r1', connectorId: 'hubspot', throttleWaits, waitedSeconds } });
    expect(calls).toEqual([payload(0, 0), payload(1, 60), payload(2, 120)]);
    expect(out.collected).toEqual([{ connectorId: 'hubspot', status: 'succeeded', records: 2, objects: { contacts: 2 }, stagingKeys: {} }]);
  });

  it('records a connector whose step fails after its retries as a failed row, the shape Reconcile reads', async () => {
    const { Next: _next, ...collect } = definition.States.Collect;
    const machine = new StateMachine({ StartAt: 'Collect', States: { Collect: { ...collect, End: true } } } as never, { validationOptions: { noValidate: true } });
    const run = machine.run(
      { requestId: 'r1', plan: { connectors: [{ requestId: 'r1', connectorId: 'stripe', mode: 'collect', worker: 'collect-fn' }] } },
      { overrides: { taskResourceLocalHandlers: { WorkWithConnector: (async () => { throw lambdaError(Object.assign(new Error('bad key'), { name: 'ConnectorAuthFailed' })); }) as never } } },
    );
    const out = (await run.result) as { collected: any[] };
    expect(out.collected).toEqual([{ connectorId: 'stripe', status: 'failed', error: { Error: 'ConnectorAuthFailed', Cause: expect.stringContaining('bad key') } }]);
  });

  it('sends a request with failed connectors to staff before it can be assembled', () => {
    expect(definition.States.Reconcile.Next).toBe('ChooseAnswer');
    // The failure question comes first in the one Choice after Reconcile, before any type's answer.
    expect(definition.States.ChooseAnswer.Choices[0]).toEqual({ Variable: '$.reconcile.hasFailures', BooleanEquals: true, Next: 'AwaitStaffOnFailures' });
    const actions = definition.States.StaffAction.Choices.map((c: any) => [c.StringEquals, c.Next]);
    expect(actions).toEqual([
      ['retry', 'PlanConnectors'],
      ['accept_partial', 'AcceptedPartial'],
      ['cancel', 'NotifyCancelled'],
    ]);
  });

  it('never reports an erasure complete before it is confirmed or accepted by staff', () => {
    expect(definition.States.ChooseAnswer.Choices[1]).toMatchObject({ StringEquals: 'erasure', Next: 'ConfirmErasure' });
    expect(definition.States.ErasureConfirmed.Choices[0]).toMatchObject({ BooleanEquals: true, Next: 'NotifyErased' });
    expect(definition.States.ErasureConfirmed.Default).toBe('AwaitStaffOnFailures');
    const into = Object.entries(definition.States)
      .filter(([, s]: [string, any]) => JSON.stringify(s).includes('"NotifyErased"'))
      .map(([name]) => name)
      .sort();
    // RetryFailedStep goes there only when staff retry NotifyErased itself, after it failed.
    expect(into).toEqual(['ErasureConfirmed', 'RetryFailedStep']);
  });

  it('reads an erasure back even after staff accepted a connector as missing, and tells an opted-out or rectified subject', () => {
    expect(definition.States.AcceptedPartial.Choices).toEqual([
      { Variable: '$.receipt.type', StringEquals: 'erasure', Next: 'ConfirmErasure' },
      { Variable: '$.receipt.type', StringEquals: 'marketing_opt_out', Next: 'NotifyOptedOut' },
      { Variable: '$.receipt.type', StringEquals: 'rectification', Next: 'NotifyRectified' },
      { And: [{ Variable: '$.receipt.type', StringEquals: 'restriction' }, { Variable: '$.lifting', IsPresent: true }], Next: 'NotifyLifted' },
      { Variable: '$.receipt.type', StringEquals: 'restriction', Next: 'NotifyRestricted' },
    ]);
    expect(definition.States.AcceptedPartial.Default).toBe('Assemble');
  });

  it('restricts, waits for staff to lift after telling the subject, then runs the same act phase again to lift and close', () => {
    expect(definition.States.ChooseAnswer.Choices.slice(-2)).toEqual([
      { And: [{ Variable: '$.receipt.type', StringEquals: 'restriction' }, { Variable: '$.lifting', IsPresent: true }], Next: 'NotifyLifted' },
      { Variable: '$.receipt.type', StringEquals: 'restriction', Next: 'NotifyRestricted' },
    ]);
    expect(definition.States.NotifyRestricted).toMatchObject({ Parameters: { outcome: 'restricted' }, Next: 'AwaitLifting' });
    expect(definition.States.AwaitLifting).toMatchObject({ Parameters: { Payload: { kind: 'lift' } }, ResultPath: '$.lifting', Next: 'PlanConnectors' });
    expect(definition.States.NotifyLifted).toMatchObject({ Parameters: { outcome: 'lifted' }, End: true });
  });

  it('closes a rectification with NotifyRectified once every system acted, which a failure hands to staff', () => {
    expect(definition.States.ChooseAnswer.Choices).toContainEqual({ Variable: '$.receipt.type', StringEquals: 'rectification', Next: 'NotifyRectified' });
    expect(definition.States.NotifyRectified).toMatchObject({ Parameters: { outcome: 'rectified' }, End: true, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'RecordFailure' }] });
  });

  describe('the preview before review', () => {
    it("runs in MatchPartner, after verification and before the review, so a request staff review enters no state of its own for it", () => {
      expect(definition.States.VerifyIdentity.Next).toBe('MatchPartner');
      expect(definition.States.MatchPartner.Next).toBe('ChooseReview');
      expect(definition.States.ChooseReview).toMatchObject({
        Choices: [{ And: [{ Variable: '$.partner', IsPresent: true }, { Variable: '$.partner.matched', BooleanEquals: true }], Next: 'AwaitReview' }, { StringEquals: 'auto', Next: 'ApproveAutomatically' }],
        Default: 'AwaitReview',
      });
      expect(Object.keys(definition.States)).not.toContain('Discover');
    });

    it('gives up on a connector inside the step before the state gives up on the step, and the Lambda outlives both', () => {
      const step = definition.States.MatchPartner;
      expect(step.TimeoutSeconds * 1000).toBeGreaterThan(DISCOVERY_BUDGET_MS);
      expect(FUNCTIONS.find((f) => f.id === 'match-partner')!.timeoutSeconds).toBeGreaterThan(step.TimeoutSeconds);
    });
  });

  it.each([
    ['an access request with a failed connector', { receipt: { type: 'access' }, reconcile: { hasFailures: true } }, 'AwaitStaffOnFailures'],
    ['an erasure with a failed connector', { receipt: { type: 'erasure' }, reconcile: { hasFailures: true } }, 'AwaitStaffOnFailures'],
    ['an access request without failures', { receipt: { type: 'access' }, reconcile: { hasFailures: false } }, 'Assemble'],
    ['an erasure without failures', { receipt: { type: 'erasure' }, reconcile: { hasFailures: false } }, 'ConfirmErasure'],
    ['a marketing opt-out without failures', { receipt: { type: 'marketing_opt_out' }, reconcile: { hasFailures: false } }, 'NotifyOptedOut'],
  ])('answers %s on an interpreter through the one Choice after Reconcile', async (_case, input, expected) => {
    const names = [...new Set(definition.States.ChooseAnswer.Choices.map((c: any) => c.Next)), definition.States.ChooseAnswer.Default] as string[];
    const states = Object.fromEntries(names.map((n) => [n, { Type: 'Pass', Result: n, End: true }]));
    const machine = new StateMachine({ StartAt: 'ChooseAnswer', States: { ChooseAnswer: definition.States.ChooseAnswer, ...states } } as never);
    expect(await machine.run(input).result).toBe(expected);
  });

  describe('after the review', () => {
    it('goes on to PlanConnectors once approved, and a denial or a forward, refused tasks, to their closing steps', () => {
      expect(definition.States.AwaitReview.Next).toBe('PlanConnectors');
      expect(definition.States.AwaitReview.Catch.map((c: any) => [c.ErrorEquals[0], c.Next])).toEqual([
        ['States.Timeout', 'AwaitReview'],
        ['ReviewDenied', 'NotifyDenied'],
        ['ReviewForwarded', 'NotifyForwarded'],
        ['States.ALL', 'RecordFailure'],
      ]);
    });

    it.each([
      ['approved', async () => ({ outcome: 'approved', by: 'dana' }), 'PlanConnectors'],
      ['denied', async () => { throw Object.assign(new Error('{"outcome":"denied"}'), { name: 'ReviewDenied' }); }, 'NotifyDenied'],
      ['forwarded', async () => { throw Object.assign(new Error('{"outcome":"forwarded"}'), { name: 'ReviewForwarded' }); }, 'NotifyForwarded'],
    ])('routes a review %s on an interpreter', async (_case, answer, expected) => {
      const end = (name: string) => ({ Type: 'Pass', Result: name, End: true });
      // The routing is under test, not the timeout (the interpreter reads its path from the task's own input).
      const { TimeoutSecondsPath: _timeout, ...awaitReview } = definition.States.AwaitReview;
      const machine = new StateMachine({ StartAt: 'AwaitReview', States: { AwaitReview: awaitReview, PlanConnectors: end('PlanConnectors'), NotifyDenied: end('NotifyDenied'), NotifyForwarded: end('NotifyForwarded'), RecordFailure: end('RecordFailure') } } as never, { validationOptions: { noValidate: true } });
      const run = machine.run({ requestId: 'r1', receipt: { timeouts: { staffSeconds: 60 } } }, { context: { Task: { Token: 't1' } } as never, overrides: { taskResourceLocalHandlers: { AwaitReview: answer as never } } });
      expect(await run.result).toBe(expected);
    });
  });

  describe('after the receipt', () => {
    const receipt = { requestId: 'r1', type: 'access', duplicate: false, reopened: true, review: 'staff', release: 'staff', timeouts: { verificationSeconds: 60, staffSeconds: 60 } };
    const run = async (step: () => Promise<unknown>, input: Record<string, unknown> = { requestId: 'r1' }) => {
      const names = ['RecordReceipt', 'ReadReopenedReceipt', 'ReopenedReceipt', 'ReadWaivedReceipt', 'WaivedReceipt', 'Duplicate'];
      const states = Object.fromEntries(names.map((n) => [n, definition.States[n]]));
      const end = (name: string) => ({ Type: 'Pass', Parameters: { 'state.$': '$', reached: name }, End: true });
      const machine = new StateMachine({ StartAt: 'RecordReceipt', States: { ...states, VerifyIdentity: end('VerifyIdentity'), MatchPartner: end('MatchPartner'), RecordFailure: end('RecordFailure') } } as never, { validationOptions: { noValidate: true } });
      return machine.run(input as never, { overrides: { taskResourceLocalHandlers: { RecordReceipt: step as never } } }).result as Promise<any>;
    };

    it('goes on to VerifyIdentity without a routing state', async () => {
      expect(definition.States.RecordReceipt.Next).toBe('VerifyIdentity');
      expect(await run(async () => ({ ...receipt, reopened: false }))).toMatchObject({ reached: 'VerifyIdentity' });
    });

    it('ends a duplicate, caught as DuplicateRequest', async () => {
      const out = await run(async () => {
        throw lambdaError(new DuplicateRequest('r1'));
      });
      expect(out).toEqual({ requestId: 'r1', duplicate: { Error: 'DuplicateRequest', Cause: expect.any(String) } });
    });

    it("takes a reopened run straight to MatchPartner with the receipt read back from the error, as every later state reads it", async () => {
      const out = await run(
        async () => {
          throw lambdaError(new ReopenedRequest(receipt as never));
        },
        { requestId: 'r1', assisted: { reference: 'REF-1' } },
      );
      expect(out).toEqual({ reached: 'MatchPartner', state: { requestId: 'r1', assisted: { reference: 'REF-1' }, receipt } });
    });

    it('takes a marketing opt-out that needs no code past VerifyIdentity to MatchPartner, with the receipt read back from the error', async () => {
      const waived = { ...receipt, type: 'marketing_opt_out', reopened: false, verificationWaived: true };
      const out = await run(async () => {
        throw lambdaError(new VerificationWaived(waived as never));
      });
      expect(out).toEqual({ reached: 'MatchPartner', state: { requestId: 'r1', receipt: waived } });
    });
  });

  it('never packages a marketing opt-out', () => {
    expect(definition.States.ChooseAnswer.Choices).toContainEqual({ Variable: '$.receipt.type', StringEquals: 'marketing_opt_out', Next: 'NotifyOptedOut' });
    expect(definition.States.NotifyOptedOut).toMatchObject({ Resource: '$' + '{NotifySubjectFunctionArn}', Parameters: { outcome: 'opted_out' }, End: true });
  });

  describe('every failure becomes a staff task, never a dead execution', () => {
    const handlers = new Set(['RecordFailure', 'NeedsAttention']);
    const steps = Object.entries(definition.States).filter(([name, s]) => (s.Type === 'Task' || s.Type === 'Map') && !handlers.has(name));

    it('catches any error of every step last, under the step\'s own name, into RecordFailure', () => {
      for (const [name, state] of steps) {
        const last = state.Catch.at(-1);
        expect({ name, last }).toEqual({ name, last: { ErrorEquals: ['States.ALL'], ResultPath: `$.caught.${name}`, Next: 'RecordFailure' } });
      }
    });

    it('retries Lambda client timeouts and the SDK throttling errors in every task, inside the Map too', () => {
      const inner = Object.entries(definition.States.Collect.ItemProcessor.States).filter(([, s]: [string, any]) => s.Type === 'Task');
      for (const [name, state] of [...steps.filter(([, s]) => s.Type === 'Task'), ...inner] as Array<[string, any]>) {
        const retried = state.Retry.flatMap((r: any) => r.ErrorEquals);
        expect({ name, retried }).toEqual({ name, retried: expect.arrayContaining(['Lambda.ClientExecutionTimeoutException', 'Lambda.ServiceException', 'Lambda.TooManyRequestsException']) });
      }
      for (const [name, state] of steps.filter(([, s]) => s.Type === 'Task')) {
        const retried = state.Retry.flatMap((r: any) => r.ErrorEquals);
        expect({ name, retried }).toEqual({
          name,
          retried: expect.arrayContaining(['ThrottlingException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded', 'TooManyRequestsException']),
        });
      }
    });

    it('records the failure, then waits for staff in NeedsAttention, whose own errors are retried rather than caught into itself', () => {
      expect(definition.States.RecordFailure).toMatchObject({ Parameters: { 'requestId.$': '$.requestId', 'caught.$': '$.caught' }, ResultPath: '$.attention', Next: 'FailureRecorded' });
      expect(definition.States.FailureRecorded).toMatchObject({ Choices: [{ Variable: '$.attention.closed', BooleanEquals: true, Next: 'ClosedMeanwhile' }], Default: 'ForgetFailure' });
      expect(definition.States.ForgetFailure).toMatchObject({ Type: 'Pass', Result: {}, ResultPath: '$.caught', Next: 'NeedsAttention' });
      expect(definition.States.NeedsAttention).toMatchObject({
        Parameters: { Payload: { kind: 'attention' } },
        TimeoutSecondsPath: '$.attention.staffSeconds',
        ResultPath: '$.staffAction',
        Catch: [{ ErrorEquals: ['States.Timeout'], Next: 'NeedsAttention' }],
        Next: 'AttentionAction',
      });
      // States.TaskFailed: every failure of the task but its timeout, which NeedsAttention's Catch turns into a reminder.
      for (const name of handlers) expect(definition.States[name].Retry.at(-1).ErrorEquals).toEqual(['States.TaskFailed']);
      expect(definition.States.AttentionAction.Choices.map((c: any) => [c.StringEquals, c.Next])).toEqual([
        ['retry', 'RetryFailedStep'],
        ['accept_partial', 'AcceptedPartial'],
        ['cancel', 'NotifyCancelled'],
      ]);
    });

    it('lets staff retry exactly the steps that catch, each by its recorded name back into itself', () => {
      const routes = definition.States.RetryFailedStep.Choices.map((c: any) => [c.Variable, c.StringEquals, c.Next]);
      expect(routes).toEqual(steps.map(([name]) => ['$.staffAction.step', name, name]));
      expect([...RETRYABLE_STEPS].sort()).toEqual(steps.map(([name]) => name).sort());
    });
  });

  it('uses neither JSONata nor Assign, which the local interpreter would silently ignore', () => {
    const text = readDefinition();
    expect(text).not.toMatch(/"QueryLanguage"\s*:\s*"JSONata"|"Assign"/);
  });
});
