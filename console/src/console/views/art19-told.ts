/** GDPR Art. 19 on the detail page: one line per action saying who was told and who staff still tell. */
import type { Detail } from './detail-panel.ts';

export type Art19Outcome = NonNullable<Detail['request']['art19']>[string];

/**
 * Who was told of an action under GDPR Art. 19, and who staff still tell (each with its task). `byApi`
 * says how a recipient whose own system was changed through its API was told ("by the correction in its
 * own system").
 */
export function recipientsTold(told: Art19Outcome, byApi: string): string {
  const how = (n: Art19Outcome['notified'][number]) => `${n.name} (${n.how === 'email' ? 'by email' : byApi})`;
  const parts = [
    ...(told.notified.length ? [`told ${told.notified.map(how).join(', ')}`] : []),
    ...(told.byStaff.length ? [`staff tell ${told.byStaff.map((b) => `${b.name} (task ${b.todo})`).join(', ')}`] : []),
  ];
  return parts.length ? parts.join('; ') : 'none concerned';
}
