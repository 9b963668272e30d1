/**
 * Where configuration allows it (`agents.acceptPowerOfAttorney`, off by default), staff may accept an
 * agent's power of attorney in place of the subject's own verification: the staff member has read the
 * document and judged that it gives the agent authority. The request then goes on to review as if the
 * subject had entered their code. It is a staff action, audited with the staff member; the answer still
 * goes only to the subject's address.
 *
 * One conditional write claims the request (awaiting_verification, not yet verified), then the workflow's
 * verification task is completed; if that fails, the claim is undone, as a code entry's is.
 */
import { conflict, forbidden } from '#commons/errors';
import type { AppContext } from '../context.ts';
import type { RequestRecord } from '../requests/model.ts';
import { StateConflict } from '../requests/repository.ts';
import { completeTask } from '../requests/tasks.ts';

/** Why staff may not accept the power of attorney on this request now, or undefined when they may. */
export function powerOfAttorneyRefusal(ctx: AppContext, r: RequestRecord): string | undefined {
  if (!ctx.config.agents.acceptPowerOfAttorney) return 'this installation does not accept a power of attorney in place of the subject’s verification (agents.acceptPowerOfAttorney)';
  if (!r.agent) return 'this request was not filed by an agent';
  if (r.status !== 'awaiting_verification' || r.verification?.verifiedAt) return `request ${r.requestId} is ${r.status}, not waiting for verification`;
  return undefined;
}

export async function acceptPowerOfAttorney(ctx: AppContext, requestId: string, actor: string): Promise<RequestRecord> {
  const { repo } = ctx;
  const r = await repo.get(requestId);
  const refusal = powerOfAttorneyRefusal(ctx, r);
  if (refusal) throw ctx.config.agents.acceptPowerOfAttorney ? conflict('wrong_state', refusal) : forbidden('power_of_attorney_not_accepted', refusal);
  const at = ctx.clock.now().toISOString();
  const agent = { ...r.agent!, powerOfAttorneyAcceptedBy: { by: actor, at } };
  const verification = r.verification ? { ...r.verification, verifiedAt: at } : undefined;
  try {
    await repo.update(
      requestId,
      { status: 'awaiting_review', agent, ...(verification ? { verification } : {}) },
      { onlyIf: ['awaiting_verification'], absent: ['verification.verifiedAt', 'agent.powerOfAttorneyAcceptedBy'] },
    );
  } catch (err) {
    if (err instanceof StateConflict) throw conflict('wrong_state', `request ${requestId} is no longer waiting for verification`);
    throw err;
  }
  try {
    await completeTask(ctx, requestId, 'verification', { verified: true, verifiedAt: at, by: 'power_of_attorney' });
  } catch (err) {
    // The workflow did not take it: the record must not claim the request was verified.
    await repo
      .update(requestId, { status: 'awaiting_verification', agent: r.agent!, ...(r.verification ? { verification: r.verification } : {}) }, { onlyIf: ['awaiting_review'], match: { 'agent.powerOfAttorneyAcceptedBy.at': at } })
      .catch((undo: unknown) => {
        if (!(undo instanceof StateConflict)) throw undo;
      });
    throw err;
  }
  await repo.audit(requestId, actor, 'verification.power_of_attorney_accepted', { relationship: r.agent!.relationship });
  return repo.get(requestId);
}
