/**
 * Test-only fault injection for the workflow's Lambda functions, the counterpart of the sandboxes'
 * `/__sandbox/faults`: the next `count` calls of a function (optionally only those whose payload
 * matches) throw an error of the given name instead of running the handler, which is what Step
 * Functions sees when the function fails on AWS (an SES rejection, a DynamoDB conflict, a Lambda client
 * timeout). It lives in the local runtime only: domain code and handlers never know about it.
 */
export interface FunctionFault {
  /** The error name the state machine's Retry and Catch match. */
  error: string;
  message?: string;
  /** How many calls fail; `Infinity` until cleared. */
  count: number;
  /** Only calls whose payload this accepts fail (a shared function serves several states). */
  when?: (payload: unknown) => boolean;
  /** Run the handler first, then fail: the work was done but the answer lost (a Lambda client timeout). */
  after?: boolean;
}

export class FunctionFaults {
  readonly #faults = new Map<string, FunctionFault>();
  readonly #injected = new Map<string, number>();

  /** Arms a fault for the function with this id (`infra/functions.ts`), replacing any armed before. */
  set(functionId: string, fault: FunctionFault): void {
    this.#faults.set(functionId, { ...fault });
  }

  clear(functionId?: string): void {
    if (functionId) this.#faults.delete(functionId);
    else this.#faults.clear();
  }

  /** How many calls of the function failed by injection so far. */
  injected(functionId: string): number {
    return this.#injected.get(functionId) ?? 0;
  }

  /** The error this call must fail with, if a fault is armed for it; counts the call against the fault. */
  take(functionId: string, payload: unknown): { error: Error; after: boolean } | undefined {
    const fault = this.#faults.get(functionId);
    if (!fault || fault.count <= 0 || (fault.when && !fault.when(payload))) return undefined;
    fault.count--;
    if (fault.count <= 0) this.#faults.delete(functionId);
    this.#injected.set(functionId, this.injected(functionId) + 1);
    const err = new Error(fault.message ?? `injected fault in ${functionId}`);
    err.name = fault.error;
    return { error: err, after: fault.after ?? false };
  }
}
