/**
 * The answer a demo person gets to an access request on the embedded runtime: filed in a language,
 * verified, approved, released by staff when there is a package, completed; then the closing mail and, when there is one, the package's files.
 * Shared by the Art. 15 test and the browser test of the reports.
 */
import { releasePackage } from './release.ts';
import { unzipToText } from './zip.ts';
import type { Mail, TestRuntime } from './runtime.ts';

export interface AccessAnswer {
  requestId: string;
  status: string;
  mail: Mail;
  /** The package's files by name; absent when nothing is held (no package). */
  files?: Map<string, string>;
}

/** The closing mail's subject: the package is ready, or nothing is held (in either language). */
const CLOSING = /Your data is ready|We hold no personal data|er klare|Vi har ingen personopplysninger/;

export async function accessAnswer(rt: TestRuntime, email: string, locale: string): Promise<AccessAnswer> {
  const filed = await rt.api('POST', '/v1/requests', { body: { type: 'access', email, locale } });
  if (filed.status !== 202) throw new Error(`filing answered ${filed.status}: ${JSON.stringify(filed.body)}`);
  const requestId = filed.body.requestId as string;
  const verified = await rt.api('POST', `/v1/requests/${requestId}/verify`, { body: { code: await rt.codeFor(requestId, email) } });
  if (verified.status !== 200) throw new Error(`verifying answered ${verified.status}`);
  await rt.waitForStatus(requestId, 'awaiting_review');
  await rt.approve(requestId, 'access');
  // With staff release (the default for access) the package waits for staff, who find nothing to
  // withhold; a request of whom nothing is held has no package and goes straight to its mail.
  const stopped = await rt.waitForStatus(requestId, ['awaiting_release', 'completed', 'completed_partial', 'awaiting_staff'], 90_000);
  if (stopped.request.status === 'awaiting_release') await releasePackage(rt, requestId);
  const done = await rt.waitForStatus(requestId, ['completed', 'completed_partial', 'awaiting_staff'], 90_000);
  const mail = (await rt.mails(email)).find((m) => m.subject.includes(requestId) && CLOSING.test(m.subject));
  if (!mail) throw new Error(`no closing mail for ${requestId}`);
  const link = /(http:\/\/\S+\/v1\/downloads\/\S+)/.exec(mail.body.text ?? '')?.[1];
  const files = link ? await unzipToText(Buffer.from(await (await fetch(link)).arrayBuffer())) : undefined;
  return { requestId, status: done.request.status as string, mail, ...(files ? { files } : {}) };
}
