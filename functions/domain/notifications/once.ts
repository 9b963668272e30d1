/**
 * One mail to the subject per transition of a request. The caller first wins the transition (a
 * conditional status write), then sends through here: the mail is claimed under the transition's name
 * before it is sent, so a retried workflow step or a racing staff call that also reaches this point
 * sends nothing, and returns only once the mail is out (whoever sent it). A sender that dies between
 * claim and send leaves a claim without `sentAt`; once its lease has run out, the next caller takes it
 * over and sends. At most a send slower than the lease, or a crash after SES took the mail but before
 * it was marked, can mean a second copy: never silence.
 */
import type { AppContext } from '../context.ts';

/**
 * Longer than a send takes and than the API functions live (15 s), short enough that a closing step
 * (60 s) that finds a dead sender's claim can wait it out within its own run.
 */
export const MAIL_LEASE_MS = 20_000;
/** How often a caller looks again at a claim another sender holds. */
export const MAIL_POLL_MS = 200;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `send` if this caller claims the mail about `transition` of the request; returns whether it did.
 * When another sender holds the claim, waits until that mail is out, or its lease ran out and this
 * caller sends. `send` does everything the mail needs (a download token, the SES call): only the
 * claimant mints a link, so a mail already out never has its link replaced. `wait` is for tests.
 */
export async function mailOnce(
  ctx: AppContext,
  requestId: string,
  transition: string,
  send: () => Promise<string | undefined>,
  wait: (ms: number) => Promise<void> = sleep,
): Promise<boolean> {
  for (;;) {
    if (await ctx.repo.claimMail(requestId, transition, ctx.clock.now(), MAIL_LEASE_MS)) break;
    const held = await ctx.repo.mailClaim(requestId, transition);
    if (held?.sentAt) return false;
    // Held by a sender still at work (or one that died: its lease runs out), or given back just now.
    if (held) await wait(MAIL_POLL_MS);
  }
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
