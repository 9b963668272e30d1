import { randomUUID } from 'node:crypto';
import { assertExecutionArn, assertExecutionName, executionArnFor } from './arns.ts';
import type { LoadedStateMachine } from './definition.ts';
import { ExecutionRun, type InvokeFunction } from './executionRun.ts';
import { RecordWriter, type ExecutionRecord, type ExecutionStatus, type ExecutionStore } from './executionStore.ts';
import { optionalString, requireString, ServiceError } from './serviceError.ts';
import type { PendingTask, TaskTokenRegistry } from './taskTokens.ts';

type Body = Record<string, unknown>;

interface ExecutionEntry {
  record: ExecutionRecord;
  writer: RecordWriter;
  run?: ExecutionRun;
}

export interface StepFunctionsServiceDeps {
  machines: Map<string, LoadedStateMachine>;
  store: ExecutionStore;
  tokens: TaskTokenRegistry;
  invokeFunction: InvokeFunction;
  statesTimeoutError: new () => Error;
  tokenSentinel: string;
  onError: (error: unknown) => void;
}

const seconds = (epochMs: number | undefined): number | undefined => (epochMs === undefined ? undefined : epochMs / 1000);

/** The Step Functions operations, on JSON bodies; the HTTP layer only frames them. */
export class StepFunctionsService {
  private readonly executions = new Map<string, ExecutionEntry>();

  constructor(private readonly deps: StepFunctionsServiceDeps) {}

  /** Loads persisted executions and resumes the ones still RUNNING. */
  restore(records: ExecutionRecord[]): void {
    for (const record of records) {
      this.deps.tokens.rememberClosed(record.closedTokens);
      const entry = this.track(record);
      if (record.status !== 'RUNNING') continue;
      if (!this.deps.machines.has(record.stateMachineArn)) {
        this.deps.onError(new Error(`Execution ${record.executionArn} cannot resume: state machine ${record.stateMachineArn} is not configured`));
        continue;
      }
      this.startRun(entry);
    }
  }

  /** Abandons every running interpretation (records stay RUNNING) and waits for the files to be written. */
  async close(): Promise<void> {
    const entries = [...this.executions.values()];
    await Promise.all(entries.map((entry) => entry.run?.abandon()));
    await Promise.all(entries.map((entry) => entry.writer.freeze()));
  }

  readonly operations: Record<string, (body: Body) => unknown> = {
    StartExecution: (body) => this.startExecution(body),
    DescribeExecution: (body) => this.describeExecution(body),
    GetExecutionHistory: (body) => this.getExecutionHistory(body),
    ListExecutions: (body) => this.listExecutions(body),
    StopExecution: (body) => this.stopExecution(body),
    SendTaskSuccess: (body) => {
      this.deps.tokens.succeed(requireString(body, 'taskToken'), requireString(body, 'output'));
      return {};
    },
    SendTaskFailure: (body) => {
      this.deps.tokens.fail(requireString(body, 'taskToken'), optionalString(body, 'error'), optionalString(body, 'cause'));
      return {};
    },
    SendTaskHeartbeat: (body) => {
      this.deps.tokens.heartbeat(requireString(body, 'taskToken'));
      return {};
    },
  };

  private startExecution(body: Body): unknown {
    const stateMachineArn = requireString(body, 'stateMachineArn');
    const name = optionalString(body, 'name') ?? randomUUID();
    const input = optionalString(body, 'input') ?? '{}';
    assertExecutionName(name);
    const machine = this.deps.machines.get(stateMachineArn);
    if (!machine) throw new ServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
    try {
      JSON.parse(input);
    } catch {
      throw new ServiceError('InvalidExecutionInput', 'Invalid State Machine Execution Input: the input is not valid JSON');
    }
    const executionArn = executionArnFor(stateMachineArn, name);
    const existing = this.executions.get(executionArn);
    if (existing) {
      // AWS: the same name and input while the execution is open is the same call again; anything else is a clash.
      if (existing.record.status === 'RUNNING' && existing.record.input === input) {
        return { executionArn, startDate: seconds(existing.record.startDate) };
      }
      throw new ServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const record: ExecutionRecord = {
      executionArn,
      stateMachineArn,
      name,
      input,
      status: 'RUNNING',
      startDate: Date.now(),
      history: [],
      waitingTasks: [],
      closedTokens: {},
    };
    const entry = this.track(record);
    entry.writer.schedule();
    this.startRun(entry);
    return { executionArn, startDate: seconds(record.startDate) };
  }

  private describeExecution(body: Body): unknown {
    const { record } = this.lookup(requireString(body, 'executionArn'));
    return {
      executionArn: record.executionArn,
      stateMachineArn: record.stateMachineArn,
      name: record.name,
      status: record.status,
      startDate: seconds(record.startDate),
      stopDate: seconds(record.stopDate),
      input: record.input,
      inputDetails: { included: true },
      output: record.output,
      ...(record.output === undefined ? {} : { outputDetails: { included: true } }),
      error: record.error,
      cause: record.cause,
    };
  }

  private getExecutionHistory(body: Body): unknown {
    const { record } = this.lookup(requireString(body, 'executionArn'));
    const events = body.reverseOrder === true ? [...record.history].reverse() : record.history;
    return paginate(events, body, 'events');
  }

  private listExecutions(body: Body): unknown {
    const stateMachineArn = requireString(body, 'stateMachineArn');
    if (!this.deps.machines.has(stateMachineArn)) {
      throw new ServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
    }
    const statusFilter = optionalString(body, 'statusFilter') as ExecutionStatus | undefined;
    const executions = [...this.executions.values()]
      .map((entry) => entry.record)
      .filter((record) => record.stateMachineArn === stateMachineArn && (!statusFilter || record.status === statusFilter))
      .sort((a, b) => b.startDate - a.startDate)
      .map((record) => ({
        executionArn: record.executionArn,
        stateMachineArn: record.stateMachineArn,
        name: record.name,
        status: record.status,
        startDate: seconds(record.startDate),
        stopDate: seconds(record.stopDate),
      }));
    return paginate(executions, body, 'executions');
  }

  private stopExecution(body: Body): unknown {
    const entry = this.lookup(requireString(body, 'executionArn'));
    if (entry.record.status === 'RUNNING') {
      if (entry.run) entry.run.stop(optionalString(body, 'error'), optionalString(body, 'cause'));
    }
    return { stopDate: seconds(entry.record.stopDate ?? Date.now()) };
  }

  private lookup(executionArn: string): ExecutionEntry {
    assertExecutionArn(executionArn);
    const entry = this.executions.get(executionArn);
    if (!entry) throw new ServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    return entry;
  }

  private track(record: ExecutionRecord): ExecutionEntry {
    const entry: ExecutionEntry = { record, writer: new RecordWriter(this.deps.store, record, this.deps.onError) };
    this.executions.set(record.executionArn, entry);
    return entry;
  }

  private startRun(entry: ExecutionEntry, parked?: PendingTask): void {
    const machine = this.deps.machines.get(entry.record.stateMachineArn);
    if (!machine) return;
    entry.run = new ExecutionRun({
      // An execution waiting on a token is parked as its record and token; its answer resumes it here.
      resumeParked: (pending) => this.startRun(entry, pending),
      ...(parked ? { parked } : {}),
      machine,
      record: entry.record,
      writer: entry.writer,
      invokeFunction: this.deps.invokeFunction,
      tokens: this.deps.tokens,
      statesTimeoutError: this.deps.statesTimeoutError,
      tokenSentinel: this.deps.tokenSentinel,
    });
  }
}

/** AWS-style pagination: `maxResults` (default and cap 1000) and an opaque `nextToken`. */
function paginate<T>(items: T[], body: Body, key: string): Record<string, unknown> {
  const maxResults = typeof body.maxResults === 'number' && body.maxResults > 0 ? Math.min(body.maxResults, 1000) : 1000;
  let offset = 0;
  const nextToken = optionalString(body, 'nextToken');
  if (nextToken !== undefined) {
    offset = Number.parseInt(Buffer.from(nextToken, 'base64url').toString('utf8'), 10);
    if (!Number.isInteger(offset) || offset < 0) throw new ServiceError('InvalidToken', 'Invalid nextToken');
  }
  const page = items.slice(offset, offset + maxResults);
  const next = offset + maxResults < items.length ? Buffer.from(String(offset + maxResults)).toString('base64url') : undefined;
  return { [key]: page, ...(next === undefined ? {} : { nextToken: next }) };
}
