/**
 * POST /v1/admin/requests/{id}/extend {reason}, .../pause {reason}, .../resume {}: staff change a
 * request's deadline the way its law allows. Needs the approver role. Answers the request in full, as
 * admin-act does; refusals are 409 (the request's state) or 422 (the law) with the rule in the message.
 */
import * as z from 'zod/mini';
import '#commons/zod';
import { appContext } from '#domain/context';
import { extendDeadline } from '#domain/deadlines/ops/extension';
import { pauseDeadline, resumeDeadline } from '#domain/deadlines/ops/clock-stop';
import { requestDetail } from '#domain/requests/queries';
import { actionInput, httpHandler, requestIdFrom } from '../http.ts';

const reason = z.string().check(z.trim(), z.minLength(1, 'reason is required'), z.maxLength(2000));
/** The body of each action, by the action in the path (test/docs/openapi-zod.test.ts holds docs/openapi.yaml to them). */
export const bodies = {
  extend: z.strictObject({ reason }),
  pause: z.strictObject({ reason }),
  resume: z.strictObject({}),
};
type Action = keyof typeof bodies;

export const handler = httpHandler({ staffRole: 'approver', body: z.unknown() }, async ({ event, path, body, staff }) => {
  // One function serves three routes; the route key (or the path locally) names the action.
  const action = (event.routeKey?.split('/').pop() ?? event.rawPath.split('/').pop()) as Action;
  const input = actionInput(bodies, action, body) as { reason?: string };
  const ctx = appContext();
  const id = requestIdFrom(path);
  const actor = staff!.id;
  switch (action) {
    case 'extend':
      await extendDeadline(ctx, id, actor, input.reason!);
      break;
    case 'pause':
      await pauseDeadline(ctx, id, actor, input.reason!);
      break;
    case 'resume':
      await resumeDeadline(ctx, id, actor, 'staff');
      break;
  }
  return { status: 200, body: await requestDetail(ctx, id, staff!.roles) };
});
