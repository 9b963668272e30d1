import type { StateMachine } from 'aws-local-stepfunctions';
import type { TaskStateInfo } from './definition.ts';

/** The interpreter's event type; the package does not export it by name. */
export type InterpreterEvent = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

/** A GetExecutionHistory event as the AWS JSON protocol sends it (timestamp in epoch seconds). */
export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: number;
  type: string;
  [details: string]: unknown;
}

export interface HistoryEventDraft {
  timestamp: number;
  type: string;
  [details: string]: unknown;
}

const json = (value: unknown): string => JSON.stringify(value ?? null);
const causeText = (cause: unknown): string => (typeof cause === 'string' ? cause : json(cause));
const seconds = (epochMs: number): number => epochMs / 1000;

function resourceDetails(task: TaskStateInfo | undefined): Record<string, string> {
  if (!task) return {};
  // AWS reports direct Lambda ARNs as resourceType "lambda" too; the resource is the ARN's last part.
  return task.kind === 'lambdaArn'
    ? { resourceType: 'lambda', resource: 'invoke' }
    : { resourceType: 'lambda', resource: task.kind === 'lambdaInvoke' ? 'invoke' : 'invoke.waitForTaskToken' };
}

/**
 * Turns one interpreter event into zero or more AWS history events. Names follow AWS where one matches
 * (TaskStateEntered, TaskSucceeded, MapIterationStarted, ExecutionFailed, ...); the interpreter's
 * retry and catch events have no AWS counterpart and are left out.
 */
export function toHistoryEvents(event: InterpreterEvent, tasks: Map<string, TaskStateInfo>): HistoryEventDraft[] {
  const timestamp = seconds(event.timestamp);
  switch (event.type) {
    case 'ExecutionStarted':
      return [{ timestamp, type: 'ExecutionStarted', executionStartedEventDetails: { input: json(event.input) } }];
    case 'ExecutionSucceeded':
      return [{ timestamp, type: 'ExecutionSucceeded', executionSucceededEventDetails: { output: json(event.output) } }];
    case 'ExecutionFailed':
      return [{ timestamp, type: 'ExecutionFailed', executionFailedEventDetails: { error: event.Error, cause: causeText(event.Cause) } }];
    case 'ExecutionTimeout':
      return [{ timestamp, type: 'ExecutionTimedOut', executionTimedOutEventDetails: {} }];
    case 'ExecutionAborted':
      return [{ timestamp, type: 'ExecutionAborted', executionAbortedEventDetails: {} }];
    case 'MapIterationStarted':
    case 'MapIterationSucceeded':
      return [{ timestamp, type: event.type, mapIterationEventDetails: { name: event.parentState.name, index: event.index } }];
    case 'MapIterationFailed':
      return [{ timestamp, type: event.type, mapIterationEventDetails: { name: event.parentState.name, index: event.index } }];
    case 'ParallelBranchStarted':
    case 'ParallelBranchSucceeded':
    case 'ParallelBranchFailed':
      return [];
    case 'StateEntered': {
      const entered: HistoryEventDraft = {
        timestamp,
        type: `${event.state.type}StateEntered`,
        stateEnteredEventDetails: { name: event.state.name, input: json(event.state.input) },
      };
      if (event.state.type !== 'Task') return [entered];
      return [entered, { timestamp, type: 'TaskScheduled', taskScheduledEventDetails: resourceDetails(tasks.get(event.state.name)) }];
    }
    case 'StateExited': {
      const exited: HistoryEventDraft = {
        timestamp,
        type: `${event.state.type}StateExited`,
        stateExitedEventDetails: { name: event.state.name, output: json(event.state.output) },
      };
      if (event.state.type !== 'Task') return [exited];
      return [{ timestamp, type: 'TaskSucceeded', taskSucceededEventDetails: resourceDetails(tasks.get(event.state.name)) }, exited];
    }
    case 'StateFailed': {
      const details = { ...resourceDetails(tasks.get(event.state.name)), error: event.Error, cause: causeText(event.Cause) };
      if (event.state.type === 'Task') {
        return event.Error === 'States.Timeout'
          ? [{ timestamp, type: 'TaskTimedOut', taskTimedOutEventDetails: details }]
          : [{ timestamp, type: 'TaskFailed', taskFailedEventDetails: details }];
      }
      if (event.state.type === 'Map') return [{ timestamp, type: 'MapStateFailed' }];
      return [];
    }
    default:
      return [];
  }
}
