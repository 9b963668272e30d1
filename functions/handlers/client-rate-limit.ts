/**
 * A middy middleware that counts each call of a public route per client IP and answers 429 with
 * `Retry-After` past the configured limit, before the body is parsed or anything is read.
 */
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { dynamo } from '#commons/clients';
import { resources } from '#commons/env';
import { appContext } from '#domain/context';
import { RateCounters, admitClient, type ClientRoute } from '#domain/rate-limits/index';

/**
 * The caller's IP. API Gateway's `sourceIp` is the TCP peer: the caller itself, or a CloudFront edge
 * server when the API sits behind the distribution. There the stack names the header CloudFront sets
 * to the viewer's `ip:port` (`DSAR_CLIENT_IP_HEADER=cloudfront-viewer-address`), and does so only where
 * the API's own endpoint is disabled, so no caller can reach the API without CloudFront overwriting it.
 */
export function clientIp(event: APIGatewayProxyEventV2, env: NodeJS.ProcessEnv = process.env): string {
  const header = env.DSAR_CLIENT_IP_HEADER?.toLowerCase();
  if (header) {
    const entry = Object.entries(event.headers ?? {}).find(([name]) => name.toLowerCase() === header);
    const value = entry?.[1]?.trim();
    // `198.51.100.7:443` or `2001:db8::7:443`: the port is after the last colon.
    if (value && value.includes(':')) return value.slice(0, value.lastIndexOf(':'));
  }
  return event.requestContext.http.sourceIp;
}

export function clientRateLimit(route: ClientRoute): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyResultV2> {
  return {
    before: async (request) => {
      const ctx = appContext();
      await admitClient(new RateCounters(dynamo(), resources.table(), ctx.clock), ctx.config, route, clientIp(request.event));
    },
  };
}
