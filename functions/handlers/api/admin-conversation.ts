/**
 * POST /v1/admin/requests/{id}/notes {text}: an internal note on the request (staff only, on the audit
 * trail); POST /v1/admin/requests/{id}/messages {text, question?}: a message mailed to the subject, which
 * joins the request's thread. Both need the approver role, as every write to a request does, and answer
 * the request in full, as admin-act does, so the console shows the note or message where it belongs.
 */
import * as z from 'zod/mini';
import '#commons/zod';
import { appContext } from '#domain/context';
import { messageSubject } from '#domain/requests/message-subject';
import { MESSAGE_MAX_LENGTH } from '#domain/requests/messages';
import { NOTE_MAX_LENGTH, addNote } from '#domain/requests/notes';
import { requestDetail } from '#domain/requests/queries';
import { actionInput, httpHandler, requestIdFrom } from '../http.ts';

/** The body of each route, by the last segment of its path (test/docs/openapi-zod.test.ts holds docs/openapi.yaml to them). */
export const bodies = {
  notes: z.strictObject({
    text: z.string().check(z.trim(), z.minLength(1, 'text must not be empty'), z.maxLength(NOTE_MAX_LENGTH, `a note is at most ${NOTE_MAX_LENGTH} characters`)),
  }),
  messages: z.strictObject({
    text: z.string().check(z.trim(), z.minLength(1, 'text must not be empty'), z.maxLength(MESSAGE_MAX_LENGTH, `a message is at most ${MESSAGE_MAX_LENGTH} characters`)),
    question: z.optional(z.boolean()),
  }),
};
type Route = keyof typeof bodies;

export const handler = httpHandler({ staffRole: 'approver', body: z.unknown() }, async ({ event, path, body, staff }) => {
  // One function serves both routes; the route key (or the path locally) names which.
  const route = (event.routeKey?.split('/').pop() ?? event.rawPath.split('/').pop()) as Route;
  const input = actionInput(bodies, route, body) as { text: string; question?: boolean };
  const ctx = appContext();
  const id = requestIdFrom(path);
  switch (route) {
    case 'notes':
      await addNote(ctx, id, staff!.id, input.text);
      break;
    case 'messages':
      await messageSubject(ctx, id, staff!.id, input.text, input.question === true);
      break;
  }
  return { status: 200, body: await requestDetail(ctx, id, staff!.roles) };
});
