/**
 * The erasure re-check, run by EventBridge Scheduler (spec `schedule`): reads back, after the vendor's
 * window, the deletions a vendor was to complete on its own schedule (#domain/erasure-recheck).
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { ConnectorRegistry } from '#connectors/registry';
import { logger } from '#commons/observability';
import { appContext } from '#domain/context';
import { recheckErasures } from '#domain/erasure-recheck/index';

let registry: ConnectorRegistry | undefined;

async function run() {
  const ctx = appContext();
  registry ??= new ConnectorRegistry(ctx.config);
  return recheckErasures(ctx, registry);
}

export const handler = middy(run).use(injectLambdaContext(logger, { resetKeys: true }));
