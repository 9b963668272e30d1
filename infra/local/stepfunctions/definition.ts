import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { parseStateMachineArn } from './arns.ts';

/** How a Task state's `Resource` is run locally; anything else is rejected at load. */
export type TaskResourceKind = 'lambdaArn' | 'lambdaInvoke' | 'lambdaInvokeWaitForTaskToken';

export interface TaskStateInfo {
  name: string;
  kind: TaskResourceKind;
  resource: string;
  /** True when the state sits directly in the top-level `States` (not in a Map or Parallel). */
  topLevel: boolean;
}

export interface LoadedStateMachine {
  arn: string;
  name: string;
  /** The definition as written (validated). */
  original: StateMachineDefinition;
  /** The definition the interpreter runs: task timeouts and retry intervals rewritten, see `prepareForInterpreter`. */
  prepared: StateMachineDefinition;
  tasks: Map<string, TaskStateInfo>;
  topLevelStateNames: Set<string>;
}

/**
 * What the interpreter hands each Task override: the state's Parameters (or its input) under `Request`,
 * plus the values the endpoint needs to enforce timeouts itself, all evaluated by the interpreter
 * against the same effective input AWS would use.
 */
export interface TaskOverrideInput {
  Request: unknown;
  StateInput: unknown;
  TimeoutSeconds?: unknown;
  HeartbeatSeconds?: unknown;
}

// The interpreter races every task against its own TimeoutSeconds (60 s when absent) and evaluates
// TimeoutSecondsPath against the Parameters output. The endpoint enforces timeouts itself (waiting
// tasks must time out at an absolute deadline that survives restarts), so the interpreter gets a
// timeout it never reaches. It stays below setTimeout's 2^31-1 ms limit, which would fire at once.
export const INTERPRETER_TASK_TIMEOUT_SECONDS = 2_000_000;

/** Name of the Pass state a resume copy starts with; it feeds the stored input to the resumed state. */
export const RESUME_STATE_NAME = 'LocalStepFunctions.Resume';

const LAMBDA_FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?$/;
const LAMBDA_INVOKE = /^arn:aws[a-z-]*:states:::lambda:invoke$/;
const LAMBDA_INVOKE_WAIT = /^arn:aws[a-z-]*:states:::lambda:invoke\.waitForTaskToken$/;

type JsonObject = Record<string, unknown>;

function classifyResource(stateName: string, state: JsonObject): TaskResourceKind {
  const resource = state.Resource;
  if (typeof resource !== 'string') throw new Error(`Task state "${stateName}" has no Resource`);
  if (LAMBDA_FUNCTION_ARN.test(resource)) return 'lambdaArn';
  const isInvoke = LAMBDA_INVOKE.test(resource);
  const isWait = LAMBDA_INVOKE_WAIT.test(resource);
  if (!isInvoke && !isWait) {
    throw new Error(
      `Task state "${stateName}" uses Resource "${resource}", which the local Step Functions endpoint does not support ` +
        '(supported: Lambda function ARNs, arn:aws:states:::lambda:invoke and arn:aws:states:::lambda:invoke.waitForTaskToken)',
    );
  }
  const parameters = state.Parameters as JsonObject | undefined;
  if (!parameters || (parameters.FunctionName === undefined && parameters['FunctionName.$'] === undefined)) {
    throw new Error(`Task state "${stateName}" uses ${resource} without Parameters.FunctionName`);
  }
  return isWait ? 'lambdaInvokeWaitForTaskToken' : 'lambdaInvoke';
}

/** Every nested state machine (Map ItemProcessor/Iterator, Parallel Branches) of a state. */
function childMachines(state: JsonObject): JsonObject[] {
  const children: JsonObject[] = [];
  if (state.Type === 'Map') {
    const processor = (state.ItemProcessor ?? state.Iterator) as JsonObject | undefined;
    if (processor) children.push(processor);
  }
  if (state.Type === 'Parallel' && Array.isArray(state.Branches)) children.push(...(state.Branches as JsonObject[]));
  return children;
}

function collectTasks(machine: JsonObject, topLevel: boolean, tasks: Map<string, TaskStateInfo>, seen: Set<string>): void {
  for (const [name, state] of Object.entries(machine.States as Record<string, JsonObject>)) {
    // Overrides and token bookkeeping are keyed by state name, so names must be unique everywhere.
    if (seen.has(name)) throw new Error(`State name "${name}" is used more than once; the local endpoint needs unique state names`);
    seen.add(name);
    if (state.Type === 'Task') {
      tasks.set(name, { name, kind: classifyResource(name, state), resource: state.Resource as string, topLevel });
    }
    for (const child of childMachines(state)) collectTasks(child, false, tasks, seen);
  }
}

function withScaledRetries(state: JsonObject, retryIntervalScale: number): JsonObject {
  if (!Array.isArray(state.Retry) || retryIntervalScale === 1) return state;
  // Scaling IntervalSeconds (instead of the interpreter's retryIntervalOverrides, which replace the
  // whole computation) keeps BackoffRate, MaxDelaySeconds and JitterStrategy meaningful.
  const Retry = (state.Retry as JsonObject[]).map((retrier) => ({
    ...retrier,
    IntervalSeconds: ((retrier.IntervalSeconds as number | undefined) ?? 1) * retryIntervalScale,
    ...(retrier.MaxDelaySeconds === undefined ? {} : { MaxDelaySeconds: (retrier.MaxDelaySeconds as number) * retryIntervalScale }),
  }));
  return { ...state, Retry };
}

function prepareTask(state: JsonObject): JsonObject {
  const { TimeoutSeconds, TimeoutSecondsPath, HeartbeatSeconds, HeartbeatSecondsPath, Parameters, ...rest } = state;
  const wrapped: JsonObject = {
    ...(Parameters === undefined ? { 'Request.$': '$' } : { Request: Parameters }),
    'StateInput.$': '$',
  };
  if (TimeoutSeconds !== undefined) wrapped.TimeoutSeconds = TimeoutSeconds;
  if (TimeoutSecondsPath !== undefined) wrapped['TimeoutSeconds.$'] = TimeoutSecondsPath;
  if (HeartbeatSeconds !== undefined) wrapped.HeartbeatSeconds = HeartbeatSeconds;
  if (HeartbeatSecondsPath !== undefined) wrapped['HeartbeatSeconds.$'] = HeartbeatSecondsPath;
  return { ...rest, Parameters: wrapped, TimeoutSeconds: INTERPRETER_TASK_TIMEOUT_SECONDS };
}

function prepareMachine(machine: JsonObject, retryIntervalScale: number): JsonObject {
  const States: Record<string, JsonObject> = {};
  for (const [name, original] of Object.entries(machine.States as Record<string, JsonObject>)) {
    let state = withScaledRetries(original, retryIntervalScale);
    if (state.Type === 'Task') state = prepareTask(state);
    if (state.Type === 'Map') {
      const key = state.ItemProcessor ? 'ItemProcessor' : 'Iterator';
      state = { ...state, [key]: prepareMachine(state[key] as JsonObject, retryIntervalScale) };
    }
    if (state.Type === 'Parallel') {
      state = { ...state, Branches: (state.Branches as JsonObject[]).map((b) => prepareMachine(b, retryIntervalScale)) };
    }
    States[name] = state;
  }
  return { ...machine, States };
}

export function loadStateMachine(
  machine: { arn: string; name: string; definition: string },
  retryIntervalScale: number,
): LoadedStateMachine {
  const arnParts = parseStateMachineArn(machine.arn);
  if (!arnParts) throw new Error(`State machine "${machine.name}" has an invalid ARN: ${machine.arn}`);
  let original: StateMachineDefinition;
  try {
    original = JSON.parse(machine.definition) as StateMachineDefinition;
  } catch (error) {
    throw new Error(`State machine "${machine.name}" definition is not JSON: ${(error as Error).message}`);
  }
  // Throws with the validator's messages when the ASL is invalid.
  new StateMachine(original);
  const tasks = new Map<string, TaskStateInfo>();
  collectTasks(original as unknown as JsonObject, true, tasks, new Set());
  const prepared = prepareMachine(original as unknown as JsonObject, retryIntervalScale) as unknown as StateMachineDefinition;
  return {
    arn: machine.arn,
    name: arnParts.name,
    original,
    prepared,
    tasks,
    topLevelStateNames: new Set(Object.keys(original.States)),
  };
}

/**
 * A copy of the prepared definition that starts at `stateName` with `stateInput`. The copy is run with
 * the execution's original input, so `$$.Execution.Input` stays right; a Pass state swaps in the input
 * the resumed state had. `remainingTimeoutSeconds` carries the execution-level TimeoutSeconds over.
 */
export function resumeDefinition(
  machine: LoadedStateMachine,
  stateName: string,
  stateInput: unknown,
  remainingTimeoutSeconds: number | undefined,
): StateMachineDefinition {
  const resume = { Type: 'Pass', Result: { value: stateInput }, OutputPath: '$.value', Next: stateName };
  const copy = {
    ...machine.prepared,
    StartAt: RESUME_STATE_NAME,
    States: { [RESUME_STATE_NAME]: resume, ...machine.prepared.States },
  } as unknown as StateMachineDefinition;
  if (remainingTimeoutSeconds !== undefined) copy.TimeoutSeconds = Math.max(remainingTimeoutSeconds, 0.001);
  return copy;
}
