/**
 * Errors the Task overrides hand to the interpreter. The interpreter matches Retry/Catch on
 * `error.name` and reads `isRetryable`/`isCatchable` (both default to true when absent).
 */

/** An error that no Retry or Catch may handle, like the interpreter's own States.Runtime. */
export class UncatchableTaskError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
  get isRetryable(): boolean {
    return false;
  }
  get isCatchable(): boolean {
    return false;
  }
}

/** Ends a task whose execution was stopped or whose endpoint closed; the outcome is discarded. */
export class InterpretationAbandoned extends UncatchableTaskError {
  constructor() {
    super('LocalStepFunctions.Abandoned', 'The execution was stopped or the endpoint closed');
  }
}

/** A task failure with a name of the client's choosing (Lambda errorType, or SendTaskFailure's error). */
export class NamedTaskError extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

/**
 * A failure of `invokeFunction`, shaped as AWS reports a Lambda error: Error is the errorType and
 * Cause the JSON text of the Lambda error payload.
 */
export function lambdaError(thrown: unknown): NamedTaskError {
  const errorType = thrown instanceof Error && thrown.name ? thrown.name : 'Error';
  const errorMessage = thrown instanceof Error ? thrown.message : String(thrown);
  return new NamedTaskError(errorType, JSON.stringify({ errorType, errorMessage }));
}
