/**
 * Which actions the console offers for a request: exactly those the API says it would accept from this
 * staff member now (`actions` in GET /v1/admin/requests/{id}, computed by the server's own rules for
 * the request's state, law and the caller's role), so a button can never be one the API always refuses.
 */
export type Role = 'approver' | 'viewer';

export const ACTIONS = ['approve', 'deny', 'extend', 'pause', 'resume', 'retry', 'accept-partial', 'cancel', 'assign', 'download'] as const;

export type Action = (typeof ACTIONS)[number];

/**
 * The actions to show, in the console's order, from the API's list. A name this console does not know
 * (a newer API) is left out, since there is no dialog for it; an API that sends no list gets no buttons.
 */
export function offeredActions(detail: { actions?: readonly string[] }): Action[] {
  return offeredOf(ACTIONS, detail);
}

/** Of the names a panel knows, in its order, those the API's list offers. */
function offeredOf<A extends string>(known: readonly A[], detail: { actions?: readonly string[] }): A[] {
  const allowed = new Set(detail.actions ?? []);
  return known.filter((a) => allowed.has(a));
}

/**
 * The denial reasons the deny dialog offers, out of `all`. Before the subject has confirmed the address,
 * the API lets staff deny only an agent's request, and only because the agent's permission is
 * insufficient: every other reason is about the subject and is refused with 409 `not_verified`
 * (earlyDenialRefusal in functions/domain/requests/staff.ts). After verification, every reason.
 */
export function denialReasonsFor(request: { status: string }, all: readonly string[]): string[] {
  return request.status === 'awaiting_verification' ? all.filter((reason) => reason === 'agent_permission_insufficient') : [...all];
}

/** Actions that cannot be undone ask the staff member to type the request id, not just click. */
export function needsTypedConfirmation(action: Action, type: string): boolean {
  return action === 'approve' && type === 'erasure';
}

/**
 * Processor mode: the decisions on a resale partner's end user, which the partner panel offers
 * (views/detail-partner.ts), again exactly as the API lists them.
 */
export const PARTNER_ACTIONS = ['forward', 'partner-instruction', 'not-partner'] as const;
export type PartnerAction = (typeof PARTNER_ACTIONS)[number];

export function offeredPartnerActions(detail: { actions?: readonly string[] }): PartnerAction[] {
  return offeredOf(PARTNER_ACTIONS, detail);
}

/**
 * A restriction in force (GDPR Art. 18): tell the subject when and why it ends, then lift it. The
 * restriction panel (views/detail-restriction.ts) offers them, again exactly as the API lists them: the
 * API offers `lift` only once the notice went out and its day has come.
 */
export const RESTRICTION_ACTIONS = ['announce-lifting', 'lift'] as const;
export type RestrictionAction = (typeof RESTRICTION_ACTIONS)[number];

export function offeredRestrictionActions(detail: { actions?: readonly string[] }): RestrictionAction[] {
  return offeredOf(RESTRICTION_ACTIONS, detail);
}
