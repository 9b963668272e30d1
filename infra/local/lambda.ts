/**
 * Runs the product's Lambda handlers in this process, as Lambda would: an event, and a context with a
 * request id and a deadline. The same entry files are what the CDK stack bundles.
 *
 * On AWS each function has its own process, so one module-level Powertools logger per process is one per
 * function. Here every function shares this process and runs concurrently with the others, as invocations
 * do in a Lambda Managed Instances environment, and `injectLambdaContext` of one invocation would relabel
 * the log lines of another. So each invocation runs inside its own context of the Lambda `InvokeStore`,
 * with `AWS_LAMBDA_MAX_CONCURRENCY` set, which is what that environment does: Powertools then keeps the
 * Lambda context (function name, request id), temporary keys and metrics per invocation.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { InvokeStoreBase } from '@aws/lambda-invoke-store';
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

type InvokeContext = Record<string | symbol, unknown>;

/**
 * An InvokeStore backed by AsyncLocalStorage, like the runtime's own for concurrent invocations. Written
 * here rather than taken from `InvokeStore.getInstanceAsync(true)`: that returns whichever store the first
 * caller got, and the AWS SDK asks for one (a single-context store) as soon as the runtime creates a table.
 */
class ConcurrentInvokeStore extends InvokeStoreBase {
  readonly #contexts = new AsyncLocalStorage<InvokeContext>();
  getContext(): InvokeContext | undefined {
    return this.#contexts.getStore();
  }
  hasContext(): boolean {
    return this.#contexts.getStore() !== undefined;
  }
  get<T = unknown>(key: string | symbol): T | undefined {
    return this.#contexts.getStore()?.[key] as T | undefined;
  }
  set<T = unknown>(key: string | symbol, value: T): void {
    if (this.isProtectedKey(key)) throw new Error(`Cannot modify protected Lambda context field: ${String(key)}`);
    const context = this.#contexts.getStore();
    if (!context) throw new Error('No context available');
    context[key] = value;
  }
  run<T>(context: InvokeContext, fn: () => T): T {
    return this.#contexts.run(context, fn);
  }
}

/** Installs the concurrent store where Powertools and the AWS SDK look for it (once per process). */
function invokeStore(): InvokeStoreBase {
  const lambda = ((globalThis as { awslambda?: { InvokeStore?: InvokeStoreBase } }).awslambda ??= {});
  if (!(lambda.InvokeStore instanceof ConcurrentInvokeStore)) lambda.InvokeStore = new ConcurrentInvokeStore();
  // Powertools scopes its state to the invocation only when this is set (it reads it on every call).
  process.env.AWS_LAMBDA_MAX_CONCURRENCY ??= '1000';
  return lambda.InvokeStore;
}

/** Loads every function's handler once; each call runs in its own invocation context. */
export async function loadHandlers(root: string, specs: FunctionSpec[]): Promise<Map<string, LambdaHandler>> {
  const store = invokeStore();
  const handlers = new Map<string, LambdaHandler>();
  for (const spec of specs) {
    const mod = (await import(pathToFileURL(resolve(root, spec.entry)).href)) as { handler?: LambdaHandler };
    const handler = mod.handler;
    if (typeof handler !== 'function') throw new Error(`${spec.entry} exports no handler`);
    handlers.set(spec.id, (event, context) =>
      store.run({ [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: context.awsRequestId }, () => handler(event, context)),
    );
  }
  return handlers;
}
