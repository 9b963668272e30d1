/**
 * The subject-retention sweep, run daily by EventBridge Scheduler (and by a timer in the embedded
 * runtime): closed requests past the records policy give up the subject's email and name.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { dynamo } from '#commons/clients';
import { resources } from '#commons/env';
import { logger } from '#commons/observability';
import { sweepSubjectRetention } from '#domain/retention/subjects';

export const handler = middy(async () => {
  const result = await sweepSubjectRetention(dynamo(), resources.table(), new Date());
  logger.info('subject retention sweep', result);
  return result;
}).use(injectLambdaContext(logger, { resetKeys: true }));
