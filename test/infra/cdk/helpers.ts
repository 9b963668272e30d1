/** Reading a synthesized template the way the CDK tests need it: by function id, not by logical id. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Validations, type CfnElement, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DsarStack } from '../../../infra/stack/dsar-stack.ts';
import type { DsarOrchestrator, DsarOrchestratorProps } from '../../../infra/stack/dsar-orchestrator.ts';

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
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

/**
 * Synthesizes the project's stack without bundling (stack.test.ts checks the bundles) and with cdk-nag,
 * for tests that read the template only. A cdk-nag finding or any other synth error is returned, not thrown.
 */
export function synthFast(id: string, orchestrator: Partial<DsarOrchestratorProps>, env = { account: '111111111111', region: 'eu-north-1' }) {
  const app = new App({
    outdir: mkdtempSync(join(tmpdir(), 'dsar-cdk-fast-')),
    context: { 'aws:cdk:bundling-stacks': [], '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true },
  });
  const stack = new DsarStack(app, id, {
    env,
    orchestrator: {
      config: EXAMPLE_CONFIG,
      ...orchestrator,
      console: { siteDir: mkdtempSync(join(tmpdir(), 'dsar-site-')), ...orchestrator.console },
    },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  let error: Error | undefined;
  let template = Template.fromJSON({});
  try {
    template = Template.fromJSON(app.synth().getStackByName(stack.stackName).template);
  } catch (err) {
    error = err as Error;
  }
  return { stack, template, error };
}

export const EXAMPLE_CONFIG = fileURLToPath(new URL('../../../config/example.config.json', import.meta.url));

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export interface Finding {
  Rule: { Id: string };
  Level: string;
  Message: string;
  Location: { Path: unknown[] };
}

export function cfnLint(template: unknown): Finding[] {
  const file = join(mkdtempSync(join(tmpdir(), 'dsar-cfn-lint-')), 'template.json');
  writeFileSync(file, JSON.stringify(template));
  // Run from the repository root, where cfn-lint finds .cfnlintrc.
  const run = spawnSync('cfn-lint', ['--format', 'json', file], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.error && (run.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error('cfn-lint is not installed or not on PATH: install it with `pip install cfn-lint` (version 1.x) to run this test');
  }
  // Exit codes are bit flags (2 error, 4 warning, 8 informational); anything else is cfn-lint failing itself.
  if (run.status === null || run.status & 1 || run.status > 14) throw new Error(`cfn-lint failed (exit ${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout || '[]') as Finding[];
}

export const shown = (findings: Finding[]) => findings.map((f) => `${f.Level} ${f.Rule.Id} at ${f.Location.Path.join('/')}: ${f.Message}`);

/**
 * cfn-lint is Python (PyPI), which npm cannot install. CI and the project's machines run as root and have
 * it: there a missing cfn-lint fails every lint test with the message of `cfnLint`. A developer who
 * follows the README without root and without cfn-lint (`npm install`, `npm test`: nothing but npm) is
 * told, loudly, that the lint tests did not run here; CI runs them on every change.
 */
const cfnLintAvailable = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' }).status === 0;
export const cfnLintRuns = cfnLintAvailable || process.env.CI === 'true' || process.getuid?.() === 0;
if (!cfnLintRuns) {
  console.warn('cfn-lint is not on PATH: the template lint tests did not run here (CI runs them). Install it with `pip install cfn-lint` to run them.');
}
