/**
 * Subscribed to the SES configuration set's mail-events topic: each bounce or complaint goes on the
 * audit trail of the request its mail was about. A record that cannot be stored fails the invocation,
 * so SNS delivers it again; recording is idempotent per message.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import * as z from 'zod/mini';
import '#commons/zod';
import { logger } from '#commons/observability';
import { appContext } from '#domain/context';
import { recordMailEvent, type MailEventOutcome, type SesMailEvent } from '#domain/notifications/mail-events';

const recipients = z.optional(z.array(z.looseObject({ emailAddress: z.string() })));
const sesEvent = z.looseObject({
    eventType: z.string(),
    mail: z.looseObject({ messageId: z.string(), timestamp: z.optional(z.string()), tags: z.optional(z.record(z.string(), z.array(z.string()))) }),
    bounce: z.optional(z.looseObject({ bounceType: z.optional(z.string()), bounceSubType: z.optional(z.string()), timestamp: z.optional(z.string()), bouncedRecipients: recipients })),
    complaint: z.optional(z.looseObject({ complaintFeedbackType: z.optional(z.string()), timestamp: z.optional(z.string()), complainedRecipients: recipients })),
  });
const snsEvent = z.object({ Records: z.array(z.looseObject({ Sns: z.looseObject({ MessageId: z.string(), Message: z.string() }) })) });

async function run(event: unknown): Promise<{ outcomes: MailEventOutcome[] }> {
  const ctx = appContext();
  const outcomes: MailEventOutcome[] = [];
  for (const record of snsEvent.parse(event).Records) {
    let parsed: SesMailEvent;
    try {
      parsed = sesEvent.parse(JSON.parse(record.Sns.Message)) as SesMailEvent;
    } catch {
      // Not an SES event (the topic's subscription confirmation, a test message): nothing to record, and
      // retrying would not change that. The message itself may hold addresses, so it is not logged.
      logger.warn('not an SES mail event', { snsMessageId: record.Sns.MessageId });
      continue;
    }
    outcomes.push(await recordMailEvent(ctx, parsed));
  }
  return { outcomes };
}

export const handler = middy(run).use(injectLambdaContext(logger, { resetKeys: true }));
