import { ExecutionError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';

type ErrorClass = new () => Error;

let captured: Promise<ErrorClass> | undefined;

/**
 * The interpreter's StatesTimeoutError class. Retry/Catch on `States.TaskFailed` match every task error
 * except instances of that class (as on AWS, where TaskFailed never matches States.Timeout), and the
 * package does not export it; so it is taken once from a task that times out after 1 ms.
 */
export function statesTimeoutErrorClass(): Promise<ErrorClass> {
  captured ??= probe();
  return captured;
}

async function probe(): Promise<ErrorClass> {
  const definition = {
    StartAt: 'Probe',
    States: { Probe: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:probe', TimeoutSeconds: 0.001, End: true } },
  } as unknown as StateMachineDefinition;
  const machine = new StateMachine(definition, { validationOptions: { noValidate: true } });
  // A task that never answers: the interpreter's timer rejects, clears itself, and the promise is collected.
  const execution = machine.run({}, { overrides: { taskResourceLocalHandlers: { Probe: () => new Promise(() => undefined) } } });
  try {
    await execution.result;
  } catch (error) {
    const cause = error instanceof ExecutionError ? error.cause : undefined;
    if (cause instanceof Error && cause.name === 'States.Timeout') return cause.constructor as ErrorClass;
  }
  // Fallback if the interpreter changes: right name, but States.TaskFailed would then match it too.
  return class StatesTimeout extends Error {
    constructor() {
      super('States.Timeout');
      this.name = 'States.Timeout';
    }
  };
}
