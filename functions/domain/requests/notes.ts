/**
 * Internal notes: what staff write down about a request for each other ("called the subject's
 * employer", "second account under an old address"). A note is an event on the request's audit trail
 * (`note.added`), so it is append-only, attributed to the staff member and timed like every other
 * action, and there is one home for "what happened to this request". Notes are for staff: the subject's
 * status page and mails never read them, and the text is never logged.
 */
import { badRequest } from '#commons/errors';
import { logger } from '#commons/observability';
import type { AppContext } from '../context.ts';
import type { AuditEvent } from './model.ts';

export const NOTE_ADDED = 'note.added';

/** Long enough for a phone call's summary, short enough that the trail stays readable. */
export const NOTE_MAX_LENGTH = 4000;

export interface Note {
  at: string;
  by: string;
  text: string;
}

/** Adds a note to the request (open or closed: a note after closing is still worth keeping). */
export async function addNote(ctx: AppContext, requestId: string, actor: string, text: string): Promise<Note> {
  const trimmed = text.trim();
  if (!trimmed) throw badRequest('note_empty', 'a note needs some text');
  if (trimmed.length > NOTE_MAX_LENGTH) throw badRequest('note_too_long', `a note is at most ${NOTE_MAX_LENGTH} characters`);
  await ctx.repo.get(requestId);
  const event = await ctx.repo.audit(requestId, actor, NOTE_ADDED, { text: trimmed }, ctx.clock.now());
  logger.info('note added', { requestId });
  return { at: event.at, by: actor, text: trimmed };
}

/** The notes on a request's trail, oldest first (the trail's own order). */
export function notesOf(trail: readonly Pick<AuditEvent, 'at' | 'actor' | 'action' | 'detail'>[]): Note[] {
  return trail
    .filter((e) => e.action === NOTE_ADDED && typeof e.detail?.text === 'string')
    .map((e) => ({ at: e.at, by: e.actor, text: e.detail!.text as string }));
}
