/**
 * POST /v1/admin/requests/{id}/extend {reason}, .../pause {reason}, .../resume {}: staff change a
 * request's deadline the way its law allows. Needs the approver role. Answers the request in full, as
 * admin-act does; refusals are 409 (the request's state) or 422 (the law) with the rule in the message.
 */
import { z } from 'zod';
import { RequestError } from '#commons/errors';
import { appContext } from '#domain/context';
import { extendDeadline, pauseDeadline, resumeDeadline } from '#domain/requests/deadline-actions';
import { requestDetail } from '#domain/requests/queries';
import { httpHandler, requestIdFrom } from '../http.ts';

const reason = z.string().trim().min(1, 'reason is required').max(2000);
const bodies = {
  extend: z.strictObject({ reason }),
  pause: z.strictObject({ reason }),
  resume: z.strictObject({}),
};
type Action = keyof typeof bodies;

export const handler = httpHandler({ staffRole: 'approver', body: z.unknown() }, async ({ event, path, body, staff }) => {
  // One function serves three routes; the route key (or the path locally) names the action.
  const action = (event.routeKey?.split('/').pop() ?? event.rawPath.split('/').pop()) as Action;
  const schema = Object.hasOwn(bodies, action) ? bodies[action] : undefined;
  if (!schema) throw new RequestError(404, 'unknown_action', `unknown action; use one of ${Object.keys(bodies).join(', ')}`);
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
    throw new RequestError(400, 'invalid_request', issues.join('; '), { issues });
  }
  const ctx = appContext();
  const id = requestIdFrom(path);
  const actor = staff!.id;
  const input = parsed.data as { reason?: string };
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
  return { status: 200, body: await requestDetail(ctx, id) };
});
