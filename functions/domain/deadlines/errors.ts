/**
 * The one error the deadline engine throws for bad input. Callers (the API, the CLI) turn it into a
 * 400 or an exit code 2; anything else escaping the engine is a bug.
 */
export class DeadlineInputError extends Error {
  override name = 'DeadlineInputError';
}
