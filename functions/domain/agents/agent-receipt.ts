/**
 * RecordReceipt's part for a request an agent filed: the subject is told an agent filed for them and how
 * to object; the agent gets their own status link (a token of its own, kept only as a hash, that shows the
 * status only). Each mail goes once per request (mailOnce), whatever retries of the step happen.
 */
import { hashToken, newToken } from '#commons/tokens';
import { links, type AppContext } from '../context.ts';
import { translator } from '../i18n/index.ts';
import { agentAcknowledgement, agentFiledNotice } from '../notifications/agent-mails.ts';
import { mailOnce } from '../notifications/once.ts';
import type { RequestRecord } from '../requests/model.ts';

export async function acknowledgeAgent(ctx: AppContext, request: RequestRecord): Promise<void> {
  const agent = request.agent;
  if (!agent) return;
  const { config, mailer, repo } = ctx;
  const { requestId } = request;
  const facts = { requestId, type: request.type, receivedDate: request.receivedDate };
  await mailOnce(ctx, requestId, 'agent.notice', () =>
    mailer.send(
      request.subject.email,
      agentFiledNotice(config, { ...facts, agentName: agent.name, ...(agent.organisation ? { organisation: agent.organisation } : {}), codeWaived: Boolean(request.verificationWaived) }, translator(request.locale)),
      { requestId },
    ),
  );
  await mailOnce(ctx, requestId, 'agent.acknowledged', async () => {
    // Minted by the one caller that sends: a link already mailed is never replaced.
    const token = newToken();
    await repo.update(requestId, { agentTokenHash: hashToken(token) });
    const id = await mailer.send(agent.email, agentAcknowledgement(config, facts, links(config).status(requestId, token), translator(agent.locale ?? request.locale)), { requestId });
    await repo.audit(requestId, 'system', 'agent.acknowledged', {});
    return id;
  });
}
