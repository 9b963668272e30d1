/**
 * The escalation job, run by EventBridge Scheduler (spec `schedule`). It publishes OverdueRequests for
 * the CloudWatch alarm; the domain function stays free of metrics so the CLI and the embedded timer can
 * run it too.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger, metrics } from '#commons/observability';
import { appContext } from '#domain/context';
import { escalate, type EscalationSummary } from '#domain/escalation/index';

async function run(): Promise<Omit<EscalationSummary, 'digests'> & { digests: number }> {
  const summary = await escalate(appContext());
  metrics.addMetric('OverdueRequests', MetricUnit.Count, summary.overdue);
  metrics.addMetric('EscalationsFired', MetricUnit.Count, summary.fired);
  // The recipients are staff addresses; the execution result only needs how many digests went out.
  return { ...summary, digests: summary.digests.length };
}

export const handler = middy(run)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
