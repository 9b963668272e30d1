import { ExecutionError, ExecutionTimeoutError, StateMachine, type RunOptions } from 'aws-local-stepfunctions';
import { parseStateMachineArn } from './arns.ts';
import { setLongTimeout, type LongTimer } from './longTimer.ts';
import {
  RESUME_STATE_NAME,
  resumeDefinition,
  type LoadedStateMachine,
  type TaskOverrideInput,
  type TaskStateInfo,
} from './definition.ts';
import type { ClosedTokenStatus, ExecutionRecord, RecordWriter } from './executionStore.ts';
import { toHistoryEvents, type HistoryEventDraft, type InterpreterEvent } from './history.ts';
import { InterpretationAbandoned, lambdaError, UncatchableTaskError } from './taskErrors.ts';
import { mintTaskToken, replaceDeep, type PendingTask, type TaskTokenRegistry } from './taskTokens.ts';

type TaskHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
type TaskHandlerResult = ReturnType<TaskHandlers[string]>;

export type InvokeFunction = (functionArn: string, payload: unknown) => Promise<unknown>;

export interface ExecutionRunDeps {
  machine: LoadedStateMachine;
  record: ExecutionRecord;
  writer: RecordWriter;
  invokeFunction: InvokeFunction;
  tokens: TaskTokenRegistry;
  /** The interpreter's own StatesTimeoutError: only that class is exempt from States.TaskFailed. */
  statesTimeoutError: new () => Error;
  /** What `$$.Task.Token` evaluates to; replaced by a minted token in each waiting task's payload. */
  tokenSentinel: string;
  /**
   * Parking (see `park`): called when a parked execution's token ends, to start the interpretation that
   * resumes it with that token. Without it, executions are never parked.
   */
  resumeParked?: (pending: PendingTask) => void;
  /** The token of the parked interpretation this one resumes; it takes the place of `record.waitingTasks`. */
  parked?: PendingTask;
}

/** Keeps a token's end in its execution's record (it stops waiting; a late SendTask* call learns how it ended). */
function recordTokenClosed(record: ExecutionRecord, writer: RecordWriter, token: string, status: ClosedTokenStatus): void {
  record.waitingTasks = record.waitingTasks.filter((task) => task.token !== token);
  record.closedTokens[token] = status;
  writer.schedule();
}

export function appendHistory(record: ExecutionRecord, drafts: HistoryEventDraft[]): void {
  for (const draft of drafts) {
    const id = record.history.length + 1;
    record.history.push({ ...draft, id, previousEventId: id - 1 });
  }
}

/**
 * One interpretation of one execution: from its start, or, after a restart, from the top-level state it
 * last entered. It owns the Task overrides (Lambda calls, task tokens, timeouts) and keeps the record
 * (history, status, waiting tokens) up to date.
 */
export class ExecutionRun {
  /**
   * Set once the outcome is decided (finished, stopped or abandoned) or the run is parked: later events
   * and task calls are ignored.
   */
  private ended = false;
  /** Parked: the interpreter is gone, the execution waits on one token as stored state (see `park`). */
  private parkedOn: PendingTask | undefined;
  /** Rejecters of every task promise the interpreter is awaiting, so stop/close can release them (and its timers). */
  private readonly inFlight = new Set<(error: Error) => void>();
  /** Tokens handed out before a restart that the resumed interpretation has not reached again yet. */
  private restored: PendingTask[] = [];
  private abortInterpreter: () => void = () => undefined;
  readonly settled: Promise<void>;

  constructor(private readonly deps: ExecutionRunDeps) {
    const { record, tokens } = deps;
    if (deps.parked) {
      this.restored.push(deps.parked);
    } else {
      for (const task of record.waitingTasks) {
        this.restored.push(tokens.register(task, record.executionArn, (status) => this.onTokenClosed(task.token, status)));
      }
    }
    this.settled = this.interpret();
  }

  /** StopExecution: the execution ends ABORTED and its tokens die. */
  stop(error: string | undefined, cause: string | undefined): void {
    if (this.ended && !this.parkedOn) return;
    const { record, tokens, writer } = this.deps;
    this.ended = true;
    record.status = 'ABORTED';
    record.stopDate = Date.now();
    if (error !== undefined) record.error = error;
    if (cause !== undefined) record.cause = cause;
    appendHistory(record, [
      { timestamp: record.stopDate / 1000, type: 'ExecutionAborted', executionAbortedEventDetails: { error, cause } },
    ]);
    // A parked token's end resumes nothing now: the record is no longer RUNNING.
    this.parkedOn = undefined;
    tokens.closeAllOf(record.executionArn, 'ABORTED');
    this.release();
    writer.schedule();
  }

  /** close(): drop the interpretation but keep the record RUNNING, to be resumed by the next endpoint. */
  abandon(): Promise<void> {
    if (!this.ended || this.parkedOn) {
      this.ended = true;
      this.parkedOn = undefined;
      this.deps.tokens.dropAllOf(this.deps.record.executionArn);
      this.release();
    }
    return this.settled;
  }

  private release(): void {
    this.abortInterpreter();
    // The abort function holds the interpreter: a parked run must not keep it.
    this.abortInterpreter = () => undefined;
    for (const reject of [...this.inFlight]) reject(new InterpretationAbandoned());
  }

  /**
   * Parks the execution while it waits on `pending`, the token of a top-level task whose function has
   * returned: the interpretation (interpreter, its generators, promises and closures, about 20 KB per
   * execution) is dropped, and only the record and the token stay, which is all a resume needs (the
   * same as after a restart: the last entered top-level state, its input, the token). When the token
   * ends (answer, failure, timeout), `resumeParked` starts the interpretation that goes on from there.
   * Only when nothing else runs: the state is top-level (so it is the only state in progress), no token
   * from before a restart is still unclaimed, and the machine has no execution-level TimeoutSeconds
   * (the interpreter enforces that, and a parked execution has none).
   */
  private parkIfIdle(task: TaskStateInfo, pending: PendingTask): void {
    const { record, tokens, writer, machine, resumeParked } = this.deps;
    if (this.ended || !resumeParked || !task.topLevel || machine.original.TimeoutSeconds !== undefined) return;
    if (this.restored.length > 0 || !tokens.isWaiting(pending.task.token)) return;
    this.ended = true;
    this.parkedOn = pending;
    const token = pending.task.token;
    pending.detach();
    pending.onClose = (status) => {
      recordTokenClosed(record, writer, token, status);
      // After the dropped interpretation's last events are in the history, so the resume goes on from them.
      void this.settled.then(() => {
        if (this.parkedOn !== pending || record.status !== 'RUNNING') return;
        this.parkedOn = undefined;
        resumeParked(pending);
      });
    };
    this.release();
  }

  private async interpret(): Promise<void> {
    try {
      await this.interpretOnce();
    } catch (error) {
      // Only a broken resume copy or stored input gets here; the execution fails instead of hanging.
      this.finish({ error });
    }
  }

  private async interpretOnce(): Promise<void> {
    const { machine, record } = this.deps;
    const resumeFrom = record.lastTopLevelState;
    // A parked run's state was entered already (its events are in the history): enter it again silently.
    let reentry = this.deps.parked && resumeFrom ? resumeFrom.name : undefined;
    const definition = resumeFrom
      ? resumeDefinition(machine, resumeFrom.name, resumeFrom.input, this.remainingExecutionSeconds())
      : machine.prepared;
    const interpreter = new StateMachine(definition, { validationOptions: { noValidate: true } });
    const execution = interpreter.run(JSON.parse(record.input), {
      overrides: { taskResourceLocalHandlers: this.taskHandlers() },
      context: this.contextObject(),
    });
    this.abortInterpreter = execution.abort;
    const outcome = execution.result.then(
      (output) => ({ output }),
      (error: unknown) => ({ error }),
    );
    await Promise.all([outcome, this.recordEvents(execution.eventLogs, resumeFrom !== undefined, () => {
      const skip = reentry;
      reentry = undefined;
      return skip;
    })]);
    this.finish(await outcome);
  }

  private remainingExecutionSeconds(): number | undefined {
    const limit = this.deps.machine.original.TimeoutSeconds;
    if (limit === undefined) return undefined;
    return limit - (Date.now() - this.deps.record.startDate) / 1000;
  }

  private contextObject(): Record<string, unknown> {
    const { record, machine, tokenSentinel } = this.deps;
    const account = parseStateMachineArn(machine.arn)?.account ?? '000000000000';
    return {
      Execution: {
        Id: record.executionArn,
        Name: record.name,
        RoleArn: `arn:aws:iam::${account}:role/local-stepfunctions`,
        StartTime: new Date(record.startDate).toISOString(),
      },
      StateMachine: { Id: machine.arn, Name: machine.name },
      Task: { Token: tokenSentinel },
    };
  }

  private async recordEvents(events: AsyncGenerator<InterpreterEvent>, resumed: boolean, takeReentry: () => string | undefined): Promise<void> {
    const { machine, record, writer } = this.deps;
    for await (const event of events) {
      // Keep draining after the end so the generator completes; a resume continues the existing history.
      // A parked run still records what the interpreter logged before it was dropped, but not its abort.
      if (this.ended && !this.parkedOn) continue;
      if (this.parkedOn && event.type === 'ExecutionAborted') continue;
      if (resumed && event.type === 'ExecutionStarted') continue;
      if ('state' in event && event.state.name === RESUME_STATE_NAME) continue;
      if (event.type === 'StateEntered' && event.index === undefined && event.state.name === takeReentry()) continue;
      if (event.type === 'StateEntered' && event.index === undefined && machine.topLevelStateNames.has(event.state.name)) {
        record.lastTopLevelState = { name: event.state.name, input: event.state.input };
      }
      appendHistory(record, toHistoryEvents(event, machine.tasks));
      writer.schedule();
    }
  }

  private finish(outcome: { output: unknown } | { error: unknown }): void {
    if (this.ended) return;
    this.ended = true;
    const { record, tokens, writer } = this.deps;
    record.stopDate = Date.now();
    if ('output' in outcome) {
      record.status = 'SUCCEEDED';
      record.output = JSON.stringify(outcome.output ?? null);
    } else if (outcome.error instanceof ExecutionTimeoutError) {
      record.status = 'TIMED_OUT';
    } else {
      const cause = outcome.error instanceof ExecutionError ? outcome.error.cause : outcome.error;
      record.status = 'FAILED';
      record.error = cause instanceof Error ? cause.name : 'States.Runtime';
      record.cause = cause instanceof Error ? cause.message : String(cause);
    }
    // An execution timeout leaves tasks pending; tokens nobody reached again after a restart die here too.
    tokens.closeAllOf(record.executionArn, 'ABORTED');
    this.release();
    writer.schedule();
  }

  private taskHandlers(): TaskHandlers {
    const handlers: TaskHandlers = {};
    for (const task of this.deps.machine.tasks.values()) {
      // Results are JSON: they come from the client (SendTaskSuccess output) or from invokeFunction.
      handlers[task.name] = (input) => this.runTask(task, input as unknown as TaskOverrideInput) as TaskHandlerResult;
    }
    return handlers;
  }

  private async runTask(task: TaskStateInfo, input: TaskOverrideInput): Promise<unknown> {
    // A Map may start queued iterations after the execution was stopped: they must not call anything.
    if (this.ended) throw new InterpretationAbandoned();
    const timeoutSeconds = positiveSeconds(input.TimeoutSeconds, task.name, 'TimeoutSeconds');
    const deadline = timeoutSeconds === undefined ? undefined : Date.now() + timeoutSeconds * 1000;
    const request = input.Request as { FunctionName?: unknown; Payload?: unknown };
    switch (task.kind) {
      case 'lambdaArn':
        return this.guard(this.invoke(task.resource, input.Request), deadline);
      case 'lambdaInvoke': {
        const payload = 'Payload' in request ? request.Payload : input.StateInput;
        const result = await this.guard(this.invoke(functionName(task, request), payload), deadline);
        return { Payload: result, StatusCode: 200, ExecutedVersion: '$LATEST' };
      }
      case 'lambdaInvokeWaitForTaskToken': {
        const heartbeatSeconds = positiveSeconds(input.HeartbeatSeconds, task.name, 'HeartbeatSeconds');
        return this.guard(this.waitForTaskToken(task, request, input.StateInput, deadline, heartbeatSeconds), undefined);
      }
    }
  }

  private waitForTaskToken(
    task: TaskStateInfo,
    request: { FunctionName?: unknown; Payload?: unknown },
    stateInput: unknown,
    deadline: number | undefined,
    heartbeatSeconds: number | undefined,
  ): Promise<unknown> {
    const { record, tokens, writer, tokenSentinel } = this.deps;
    const templatePayload = 'Payload' in request ? request.Payload : stateInput;
    // After a restart the function was already called for this task: wait on its original token.
    const restored = this.claimRestored(task, templatePayload);
    if (restored) return restored.wait();

    const token = mintTaskToken();
    const payload = replaceDeep(templatePayload, tokenSentinel, token);
    const waiting = { token, stateName: task.name, payload, ...(deadline === undefined ? {} : { deadline }), ...(heartbeatSeconds === undefined ? {} : { heartbeatSeconds }) };
    const pending = tokens.register(waiting, record.executionArn, (status) => this.onTokenClosed(token, status));
    record.waitingTasks.push(waiting);
    writer.schedule();
    // The function may answer (SendTaskSuccess) before it returns; only its failure ends the task.
    this.invoke(functionName(task, request), payload).then(
      () => this.parkIfIdle(task, pending),
      (error: Error) => tokens.close(token, 'FAILED', error),
    );
    return pending.wait();
  }

  private claimRestored(task: TaskStateInfo, templatePayload: unknown): PendingTask | undefined {
    const candidates = this.restored.filter((pending) => pending.task.stateName === task.name);
    const wanted = JSON.stringify(templatePayload);
    let match = candidates.find(
      (pending) => JSON.stringify(replaceDeep(pending.task.payload, pending.task.token, this.deps.tokenSentinel)) === wanted,
    );
    // A top-level state is entered once at a time, so its single stored token is this task's even if
    // the payload depends on something that changed across the restart (e.g. $$.Execution.StartTime).
    if (!match && task.topLevel && candidates.length === 1) match = candidates[0];
    if (match) this.restored = this.restored.filter((pending) => pending !== match);
    return match;
  }

  private onTokenClosed(token: string, status: ClosedTokenStatus): void {
    recordTokenClosed(this.deps.record, this.deps.writer, token, status);
  }

  private invoke(functionArn: string, payload: unknown): Promise<unknown> {
    return Promise.resolve()
      .then(() => this.deps.invokeFunction(functionArn, payload))
      .then(
        (result) => (result === undefined ? null : result),
        (error: unknown) => {
          throw lambdaError(error);
        },
      );
  }

  /** Settles with `work`, unless the deadline passes (States.Timeout) or the run is released first. */
  private guard<T>(work: Promise<T>, deadline: number | undefined): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let timer: LongTimer | undefined;
      const done = (): void => {
        timer?.clear();
        this.inFlight.delete(release);
      };
      const release = (error: Error): void => {
        done();
        reject(error);
      };
      this.inFlight.add(release);
      if (deadline !== undefined) {
        timer = setLongTimeout(() => release(new this.deps.statesTimeoutError()), deadline - Date.now());
      }
      work.then(
        (value) => {
          done();
          resolve(value);
        },
        (error: unknown) => release(error instanceof Error ? error : new Error(String(error))),
      );
    });
  }
}

function functionName(task: TaskStateInfo, request: { FunctionName?: unknown }): string {
  if (typeof request.FunctionName !== 'string') {
    throw new UncatchableTaskError('States.Runtime', `Task state "${task.name}": Parameters.FunctionName is not a string`);
  }
  return request.FunctionName;
}

function positiveSeconds(value: unknown, stateName: string, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !(value > 0)) {
    throw new UncatchableTaskError('States.Runtime', `Task state "${stateName}": ${field} must be a positive number, got ${JSON.stringify(value)}`);
  }
  return value;
}
