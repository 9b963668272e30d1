/**
 * One mail to the subject per transition of a request. The caller first wins the transition (a
 * conditional status write), then sends through here: the mail is claimed under the transition's name
 * before it is sent, so a retried workflow step or a racing staff call that also reaches this point
 * sends nothing. A sender that dies between claim and send leaves a claim without `sentAt`; once its
 * lease has run out, a retry takes it over and sends (a crash after SES took the mail but before it
 * was marked can still mean a second copy: at most that, never silence for good).
 */
import type { AppContext } from '../context.ts';

/** Longer than any send takes; short enough that a retry after a crash still tells the subject. */
export const MAIL_LEASE_MS = 2 * 60_000;

/**
 * Runs `send` if this caller claims the mail about `transition` of the request; returns whether it
 * did. `send` does everything the mail needs (a download token, the SES call): only the claimant
 * mints a link, so a mail already out never has its link replaced.
 */
export async function mailOnce(
  ctx: AppContext,
  requestId: string,
  transition: string,
  send: () => Promise<string | undefined>,
): Promise<boolean> {
  if (!(await ctx.repo.claimMail(requestId, transition, ctx.clock.now(), MAIL_LEASE_MS))) return false;
  let messageId: string | undefined;
  try {
    messageId = await send();
  } catch (err) {
    await ctx.repo.releaseMail(requestId, transition);
    throw err;
  }
  await ctx.repo.markMailSent(requestId, transition, ctx.clock.now(), messageId);
  return true;
}
