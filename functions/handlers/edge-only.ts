/**
 * Where CloudFront fronts the API (the console site serves /v1/* from it), every call must have come
 * through the distribution: it carries the shared secret CloudFront adds as an origin header. A caller
 * who finds the API's own endpoint would otherwise skip the web ACL on the distribution and could set
 * `CloudFront-Viewer-Address` to any IP, defeating the per-IP limits. The stack sets
 * `DSAR_EDGE_SECRET` only then; without it (no distribution, the embedded runtime) nothing is checked.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { forbidden } from '#commons/errors';

/** The origin header CloudFront adds to every request it forwards to the API. */
export const EDGE_SECRET_HEADER = 'x-dsar-origin-verify';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

export function cameThroughEdge(event: APIGatewayProxyEventV2, secret: string): boolean {
  const sent = Object.entries(event.headers ?? {}).find(([name]) => name.toLowerCase() === EDGE_SECRET_HEADER)?.[1];
  // Digests first: equal lengths for timingSafeEqual, and no timing hint about the secret's length.
  return sent !== undefined && timingSafeEqual(digest(sent), digest(secret));
}

export function edgeOnly(env: NodeJS.ProcessEnv = process.env): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyResultV2> {
  return {
    before: async (request) => {
      const secret = env.DSAR_EDGE_SECRET;
      if (secret && !cameThroughEdge(request.event, secret)) {
        throw forbidden('edge_only', 'call this API at the site address it is published under');
      }
    },
  };
}
