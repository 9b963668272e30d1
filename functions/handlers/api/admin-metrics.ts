/**
 * GET /v1/admin/metrics?year=2026: the yearly request figures (viewer role). JSON by default; CSV when
 * the client asks with `Accept: text/csv` (or `?format=csv`): one row per type, or with `?by=month` one
 * row per month. httpHandler always serialises JSON, so this handler assembles the same middleware
 * (identity, header normalisation, error mapping) itself.
 */
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { badRequest, forbidden, unauthorized } from '#commons/errors';
import { logger } from '#commons/observability';
import { appContext } from '#domain/context';
import { metricsCsv, monthsCsv, yearMetrics } from '#domain/metrics/index';
import { SECURITY_HEADERS, decimalInteger, errorMapper, staffFromEvent } from '../http.ts';

const YEAR_MESSAGE = 'year must be a four-digit year such as 2026';
const yearParam = decimalInteger(2000, 2100, YEAR_MESSAGE);

async function core(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> {
  const staff = staffFromEvent(event);
  if (!staff) throw unauthorized();
  if (staff.roles.length === 0) throw forbidden('role_required', 'this action needs the viewer role');
  const ctx = appContext();
  const query = event.queryStringParameters ?? {};
  const parsed = yearParam.safeParse(query.year ?? String(ctx.clock.now().getUTCFullYear()));
  if (!parsed.success) throw badRequest('invalid_year', YEAR_MESSAGE);
  const metrics = await yearMetrics(ctx, parsed.data);
  const wantsCsv = query.format === 'csv' || /\btext\/csv\b/i.test(event.headers?.accept ?? '');
  if (wantsCsv) {
    const byMonth = query.by === 'month';
    return {
      statusCode: 200,
      headers: {
        ...SECURITY_HEADERS,
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="dsar-metrics-${parsed.data}${byMonth ? '-monthly' : ''}.csv"`,
      },
      body: byMonth ? monthsCsv(metrics) : metricsCsv(metrics),
    };
  }
  return { statusCode: 200, headers: SECURITY_HEADERS, body: JSON.stringify(metrics) };
}

export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>(core)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(httpHeaderNormalizer())
  .use(errorMapper());
