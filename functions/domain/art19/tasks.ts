/**
 * The follow-up task staff get for a recipient they must tell themselves (GDPR Art. 19). Its own module
 * because the follow-ups of a closed request (../todos) name it too, and the telling (./recipients.ts)
 * adds tasks: together in one module they would import each other.
 */
import type { NewTodo } from '../todos/index.ts';

/** What is passed on: a request type, or the pass of one (a restriction is set, later lifted). */
export type Art19Action = 'erasure' | 'rectification' | 'restriction' | 'restriction_lifted';

const TASK_TITLES: Record<Art19Action, (recipient: string) => string> = {
  erasure: (n) => `Tell ${n} about the erasure (GDPR Art. 19)`,
  rectification: (n) => `Tell ${n} about the correction (GDPR Art. 19)`,
  restriction: (n) => `Tell ${n} about the restriction of processing (GDPR Art. 19)`,
  restriction_lifted: (n) => `Tell ${n} that the restriction of processing was lifted (GDPR Art. 19)`,
};

/**
 * The follow-up task for a recipient our staff must tell. The erasure's ref stays `art19:<name>` (tasks
 * of earlier requests carry it); other actions name themselves, so a restriction's two passes get a task each.
 */
export function art19Todo(action: Art19Action, recipient: string): NewTodo & { kind: 'art19-recipient'; ref: string } {
  return { kind: 'art19-recipient', ref: action === 'erasure' ? `art19:${recipient}` : `art19:${action}:${recipient}`, title: TASK_TITLES[action](recipient) };
}
