/**
 * NotifyRestricted: the restriction is confirmed in every system (or staff accepted one as missing), so
 * the request has its statutory answer (`answeredAt`, what the metrics count the deadline by) and enters
 * the open status `restricted`; the subject is told once where their data is restricted, what that means
 * and that they will be told before it is lifted. The workflow then waits on the `lift` task.
 *
 * The status write is conditional on the status the act phase leaves (`in_progress`, or `assembling`
 * after a staff accept-partial), so a request cancelled meanwhile is neither restricted nor mailed; a
 * retried step finds it restricted already and only makes sure the recipients (Art. 19) and the mail
 * were told.
 */
import type { AppContext } from '../context.ts';
import { translator } from '../i18n/index.ts';
import { mailOnce } from '../notifications/once.ts';
import { restrictedMail } from '../notifications/restriction.ts';
import type { RequestStatus } from '../requests/model.ts';
import { tellRestrictionRecipients } from '../restriction/recipients.ts';
import { openFollowUps } from '../todos/index.ts';

/** The mail transition of the "restricted" mail. */
export const RESTRICTED_MAIL = 'restricted';

export async function enterRestricted(ctx: AppContext, requestId: string): Promise<{ status: RequestStatus }> {
  const { repo, config, mailer, clock } = ctx;
  const request = await repo.get(requestId);
  if (request.type !== 'restriction') throw new Error(`request ${requestId} is a ${request.type} request, not a restriction`);
  let current = request;
  if (request.status !== 'restricted') {
    const at = clock.now().toISOString();
    current = await repo.update(
      requestId,
      { status: 'restricted', answeredAt: at, restriction: { ...(request.restriction ?? { phase: 'set' }), confirmedAt: at } },
      { onlyIf: ['in_progress', 'assembling'] },
    );
    const systems = Object.values(current.connectors ?? {})
      .filter((c) => c.restriction?.applies && c.restriction.items.some((i) => i.records > 0))
      .map((c) => c.connectorId);
    const byHand = Object.values(current.connectors ?? {}).filter((c) => (c.restriction?.byHand ?? 0) > 0).map((c) => c.connectorId);
    await repo.audit(requestId, 'system', 'restriction.confirmed', { systems, byHand });
  }
  // Art. 19: the recipients hear of the restriction before the subject's mail, which names them; and
  // what staff accepted as missing becomes a task (a retry finds both done and adds nothing).
  current = await tellRestrictionRecipients(ctx, current, 'set');
  await openFollowUps(ctx, requestId);
  const t = translator(current.locale);
  await mailOnce(ctx, requestId, RESTRICTED_MAIL, () => mailer.send(current.subject.email, restrictedMail(config, current, t), { requestId }));
  for (const kind of ['reconcile', 'attention'] as const) await repo.deleteTaskToken(requestId, kind);
  return { status: 'restricted' };
}
