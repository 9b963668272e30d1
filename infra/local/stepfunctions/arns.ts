import { ServiceError } from './serviceError.ts';

export interface StateMachineArnParts {
  partition: string;
  region: string;
  account: string;
  name: string;
}

const STATE_MACHINE_ARN = /^arn:(aws[a-z-]*):states:([a-z0-9-]+):(\d{12}):stateMachine:([A-Za-z0-9_-]{1,80})$/;
const EXECUTION_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:execution:[A-Za-z0-9_-]{1,80}:[^:\s]{1,80}$/;
// AWS: 1-80 characters, no whitespace, brackets, wildcards, quotes or control characters.
const EXECUTION_NAME = /^[^\s<>{}\[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]{1,80}$/;

export function parseStateMachineArn(arn: string): StateMachineArnParts | undefined {
  const match = STATE_MACHINE_ARN.exec(arn);
  if (!match) return undefined;
  const [, partition, region, account, name] = match as unknown as [string, string, string, string, string];
  return { partition, region, account, name };
}

export function executionArnFor(stateMachineArn: string, executionName: string): string {
  const parts = parseStateMachineArn(stateMachineArn);
  if (!parts) throw new ServiceError('InvalidArn', `Invalid Arn: '${stateMachineArn}'`);
  return `arn:${parts.partition}:states:${parts.region}:${parts.account}:execution:${parts.name}:${executionName}`;
}

export function assertExecutionArn(arn: string): void {
  if (!EXECUTION_ARN.test(arn)) throw new ServiceError('InvalidArn', `Invalid Arn: '${arn}'`);
}

export function assertExecutionName(name: string): void {
  if (!EXECUTION_NAME.test(name)) throw new ServiceError('InvalidName', `Invalid Name: '${name}'`);
}
