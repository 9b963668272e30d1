/**
 * The other way to answer a waiting task: SendTaskFailure with an error of our naming, which the waiting
 * state's Catch routes. A review that is denied or forwarded ends AwaitReview this way (ReviewDenied,
 * ReviewForwarded), so an approved request goes on to PlanConnectors without a routing state (issue 18).
 * Its own module, so only the functions that refuse tasks carry the SendTaskFailure call and its grant.
 */
import { SendTaskFailureCommand } from '@aws-sdk/client-sfn';
import type { AppContext } from '../context.ts';

export class TaskRefusal {
  /** `error` is what the state's Catch matches; `output` travels as the cause, for the record. */
  constructor(
    readonly error: string,
    readonly output: unknown,
  ) {}
}

export async function sendRefusal(ctx: AppContext, token: string, refusal: TaskRefusal): Promise<void> {
  await ctx.sfn.send(new SendTaskFailureCommand({ taskToken: token, error: refusal.error, cause: JSON.stringify(refusal.output) }));
}
