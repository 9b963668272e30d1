/** Reading a synthesized template the way the CDK tests need it: by function id, not by logical id. */
import type { Stack } from 'aws-cdk-lib';
import type { CfnElement } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { DsarOrchestrator } from '../../../infra/stack/dsar-orchestrator.ts';

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

export const logicalId = (stack: Stack, construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as CfnElement);

/** Every statement of every policy attached to the role of the function `id`. */
export function statementsOf(template: Template, stack: Stack, orchestrator: DsarOrchestrator, id: string): Statement[] {
  const fn = orchestrator.functions[id]!;
  const roleId = stack.getLogicalId(fn.role!.node.defaultChild as CfnElement);
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((p) => (p.Properties.Roles as unknown[]).some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId })))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}

export const actionsOf = (statements: Statement[]) =>
  [...new Set(statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])))].sort();
