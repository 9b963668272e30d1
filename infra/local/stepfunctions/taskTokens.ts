import { randomBytes } from 'node:crypto';
import type { ClosedTokenStatus, WaitingTask } from './executionStore.ts';
import { ServiceError } from './serviceError.ts';
import { setLongTimeout, type LongTimer } from './longTimer.ts';
import { NamedTaskError, InterpretationAbandoned } from './taskErrors.ts';

const TOKEN_FORMAT = /^[A-Za-z0-9_-]{64}$/;

export function mintTaskToken(): string {
  return randomBytes(48).toString('base64url');
}

/** Replaces the context's placeholder token with the minted one, wherever the payload template put it. */
export function replaceDeep(value: unknown, search: string, replacement: string): unknown {
  if (typeof value === 'string') return value.includes(search) ? value.split(search).join(replacement) : value;
  if (Array.isArray(value)) return value.map((item) => replaceDeep(item, search, replacement));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, replaceDeep(item, search, replacement)]));
  }
  return value;
}

/**
 * One handed-out token. `wait()` gives the interpretation waiting on it a promise that settles with the
 * task output or rejects with the task error; an outcome that came first is kept and given at once.
 */
export class PendingTask {
  private outcome: { output: unknown } | { error: Error } | undefined;
  private waiter: { resolve: (output: unknown) => void; reject: (error: Error) => void } | undefined;
  private deadlineTimer: LongTimer | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly task: WaitingTask,
    readonly executionArn: string,
    /** Called once when the token ends; a parked execution replaces it with one that resumes it. */
    public onClose: (status: ClosedTokenStatus) => void,
  ) {}

  wait(): Promise<unknown> {
    const outcome = this.outcome;
    if (outcome) return 'error' in outcome ? Promise.reject(outcome.error) : Promise.resolve(outcome.output);
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  /**
   * Lets go of the interpretation waiting on this token (it was parked): the token keeps only its own
   * record and timers, and the interpreter's promise chain, no longer referenced, is collected.
   */
  detach(): void {
    this.waiter = undefined;
  }

  armTimers(onDeadline: () => void, onHeartbeatMissed: () => void): void {
    if (this.task.deadline !== undefined) {
      this.deadlineTimer = setLongTimeout(onDeadline, this.task.deadline - Date.now());
    }
    this.restartHeartbeat(onHeartbeatMissed);
  }

  restartHeartbeat(onHeartbeatMissed: () => void): void {
    if (this.task.heartbeatSeconds === undefined) return;
    clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = setTimeout(onHeartbeatMissed, this.task.heartbeatSeconds * 1000);
  }

  settle(outcome: { output: unknown } | { error: Error }): void {
    this.deadlineTimer?.clear();
    clearTimeout(this.heartbeatTimer);
    this.outcome = outcome;
    const waiter = this.waiter;
    this.waiter = undefined;
    if (!waiter) return;
    if ('error' in outcome) waiter.reject(outcome.error);
    else waiter.resolve(outcome.output);
  }
}

/**
 * Every waiting token of the endpoint, and how the answered ones ended (so a late SendTask* call gets
 * TaskTimedOut or TaskDoesNotExist, as on AWS).
 */
export class TaskTokenRegistry {
  private readonly pending = new Map<string, PendingTask>();
  private readonly closed = new Map<string, ClosedTokenStatus>();

  constructor(private readonly timeoutError: () => Error) {}

  rememberClosed(tokens: Record<string, ClosedTokenStatus>): void {
    for (const [token, status] of Object.entries(tokens)) this.closed.set(token, status);
  }

  register(task: WaitingTask, executionArn: string, onClose: (status: ClosedTokenStatus) => void): PendingTask {
    const pending = new PendingTask(task, executionArn, onClose);
    this.pending.set(task.token, pending);
    pending.armTimers(
      () => this.close(task.token, 'TIMED_OUT', this.timeoutError()),
      () => this.close(task.token, 'TIMED_OUT', new NamedTaskError('States.HeartbeatTimeout', 'The task did not send a heartbeat in time')),
    );
    return pending;
  }

  succeed(token: string, outputText: string): void {
    const pending = this.lookup(token);
    let output: unknown;
    try {
      output = JSON.parse(outputText);
    } catch {
      throw new ServiceError('InvalidOutput', 'Invalid State Machine Output: the output is not valid JSON');
    }
    this.finish(pending, 'SUCCEEDED', { output });
  }

  fail(token: string, error: string | undefined, cause: string | undefined): void {
    this.finish(this.lookup(token), 'FAILED', { error: new NamedTaskError(error ?? '', cause ?? '') });
  }

  /** Whether the token is still waiting for its answer. */
  isWaiting(token: string): boolean {
    return this.pending.has(token);
  }

  heartbeat(token: string): void {
    const pending = this.lookup(token);
    pending.restartHeartbeat(() => this.close(token, 'TIMED_OUT', new NamedTaskError('States.HeartbeatTimeout', 'The task did not send a heartbeat in time')));
  }

  /** Ends a token from inside the endpoint (timeout, failed invocation, stopped execution). */
  close(token: string, status: ClosedTokenStatus, error: Error): void {
    const pending = this.pending.get(token);
    if (pending) this.finish(pending, status, { error });
  }

  closeAllOf(executionArn: string, status: ClosedTokenStatus): void {
    for (const pending of [...this.pending.values()]) {
      if (pending.executionArn === executionArn) this.finish(pending, status, { error: new InterpretationAbandoned() });
    }
  }

  /** Forgets the execution's tokens without closing them: they stay waiting on disk for the next start. */
  dropAllOf(executionArn: string): void {
    for (const pending of [...this.pending.values()]) {
      if (pending.executionArn !== executionArn) continue;
      this.pending.delete(pending.task.token);
      pending.settle({ error: new InterpretationAbandoned() });
    }
  }

  private lookup(token: string): PendingTask {
    const pending = this.pending.get(token);
    if (pending) return pending;
    if (this.closed.get(token) === 'TIMED_OUT') throw new ServiceError('TaskTimedOut', 'Task Timed Out');
    if (!TOKEN_FORMAT.test(token)) throw new ServiceError('InvalidToken', 'Invalid Token');
    throw new ServiceError('TaskDoesNotExist', 'Task Does Not Exist');
  }

  private finish(pending: PendingTask, status: ClosedTokenStatus, outcome: { output: unknown } | { error: Error }): void {
    this.pending.delete(pending.task.token);
    this.closed.set(pending.task.token, status);
    pending.settle(outcome);
    pending.onClose(status);
  }
}
