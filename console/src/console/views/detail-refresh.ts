/**
 * When the detail page reads the request again by itself: while the workflow works on it (a step runs,
 * a decision is being handed over) and while it waits for the subject's answer, never while it waits on
 * staff (nothing changes until someone acts) or once it is closed. The pauses between reads grow, so a
 * page left open on a long step costs one read a half-minute, not a storm; anything that changed (or an
 * action) starts them short again.
 */
import { CLOSED_STATUSES } from '../../shared/labels.ts';
import type { Detail } from './detail-panel.ts';
import { waitingForSubject } from './detail-messages.ts';

export const FIRST_POLL_MS = 1500;
export const MAX_POLL_MS = 30_000;
const GROWTH = 1.6;

const CLOSED = new Set(CLOSED_STATUSES);

/** Whether the page should read the request again after a pause. */
export function keepsPolling(detail: Detail): boolean {
  const r = detail.request;
  if (r.closedAt || CLOSED.has(r.status)) return false;
  if (waitingForSubject(r)) return true;
  // The preview is still counting: approve and deny appear when it is over, so the page keeps looking.
  if (detail.preview?.counting) return true;
  const waitsOnStaff = (r.status === 'awaiting_review' && !r.decision) || r.status === 'awaiting_staff' || r.status === 'awaiting_release';
  return !waitsOnStaff;
}

/** The pause before the next read: short again when something changed, else longer, up to the cap. */
export function nextDelay(previous: number, changed: boolean): number {
  return changed ? FIRST_POLL_MS : Math.min(MAX_POLL_MS, Math.round(previous * GROWTH));
}

/** What a read compares to see whether anything happened: the status and the trail's length. */
export function fingerprint(detail: Detail): string {
  return `${detail.request.status}#${detail.request.updatedAt}#${detail.audit.length}`;
}
