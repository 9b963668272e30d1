/**
 * Runs the product's Lambda handlers in this process, as Lambda would: an event, and a context with a
 * request id and a deadline. The same entry files are what the CDK stack bundles.
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import type { FunctionSpec } from '../functions.ts';

export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

export const LOCAL_ACCOUNT = '000000000000';

export function localFunctionArn(region: string, spec: FunctionSpec): string {
  return `arn:aws:lambda:${region}:${LOCAL_ACCOUNT}:function:dsar-${spec.id}`;
}

export function lambdaContext(spec: FunctionSpec, region: string): Context {
  const deadline = Date.now() + spec.timeoutSeconds * 1000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `dsar-${spec.id}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: localFunctionArn(region, spec),
    memoryLimitInMB: String(spec.memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/dsar-${spec.id}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Loads every function's handler once. */
export async function loadHandlers(root: string, specs: FunctionSpec[]): Promise<Map<string, LambdaHandler>> {
  const handlers = new Map<string, LambdaHandler>();
  for (const spec of specs) {
    const mod = (await import(pathToFileURL(resolve(root, spec.entry)).href)) as { handler?: LambdaHandler };
    if (typeof mod.handler !== 'function') throw new Error(`${spec.entry} exports no handler`);
    handlers.set(spec.id, mod.handler);
  }
  return handlers;
}
