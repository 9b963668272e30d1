/** A follow-up task as the staff API shows it (docs/openapi.yaml `Task`): no keys, no reminder claims. */
import type { TodoItem } from './model.ts';

export function taskView(t: TodoItem) {
  const { pk: _pk, sk: _sk, reminders: _r, ref: _ref, requestId: _id, ...rest } = t;
  return rest;
}
