/**
 * A relational connector on Aurora through the RDS Data API: the connector functions may run statements
 * on that one cluster and read that one secret, nothing more (transactions only for the erasing
 * function), and need no VPC. The synth runs cdk-nag, which fails it on a finding.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../functions/commons/config.ts';
import { FUNCTIONS } from '../../../infra/functions.ts';
import { DsarOrchestrator, runsConnectors } from '../../../infra/stack/dsar-orchestrator.ts';
import { actionsOf, EXAMPLE_CONFIG, statementsOf, type Statement } from './helpers.ts';

const CLUSTER = 'arn:aws:rds:eu-north-1:111111111111:cluster:product';
const SECRET = 'arn:aws:secretsmanager:eu-north-1:111111111111:secret:product-data-api-AbCdEf';
const TRANSACTIONS = ['rds-data:BeginTransaction', 'rds-data:CommitTransaction', 'rds-data:RollbackTransaction'];

let synthesized: { stack: Stack; orchestrator: DsarOrchestrator; template: Template };
let baseline: { stack: Stack; orchestrator: DsarOrchestrator; template: Template };

function synth(id: string, connectors: (example: Array<Record<string, unknown>>) => Array<Record<string, unknown>>) {
  const example = JSON.parse(readFileSync(EXAMPLE_CONFIG, 'utf8')) as { connectors: Array<Record<string, unknown>> };
  const config = parseConfig({ ...example, connectors: connectors(example.connectors) }, { baseDir: join(EXAMPLE_CONFIG, '..', '..') });
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'dsar-data-api-')), context: { 'aws:cdk:bundling-stacks': [], '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true } });
  const stack = new Stack(app, id, { env: { account: '111111111111', region: 'eu-north-1' } });
  const orchestrator = new DsarOrchestrator(stack, 'Dsar', { config, console: { enabled: false } });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { stack, orchestrator, template: Template.fromJSON(app.synth().getStackByName(id).template) };
}

beforeAll(() => {
  // The example's PostgreSQL connector moved to Aurora MySQL through the Data API, beside the other connectors.
  const aurora = (c: Record<string, unknown>) => (c.kind === 'postgres' ? { ...c, kind: 'mysql', credentials: undefined, dataApi: { resourceArn: CLUSTER, secretArn: SECRET, database: 'product' } } : c);
  synthesized = synth('DataApi', (cs) => cs.map(aurora));
  baseline = synth('NoSql', (cs) => cs.filter((c) => c.kind !== 'postgres'));
}, 300_000);

const statements = (s: typeof synthesized, id: string) => statementsOf(s.template, s.stack, s.orchestrator, id);
const touching = (list: Statement[], prefix: string) => list.filter((st) => actionsOf([st]).some((a) => a.startsWith(prefix)));

describe('a Data API connector', () => {
  it('lets every connector function run statements on that cluster only, and only the erasing one use transactions', () => {
    for (const spec of FUNCTIONS.filter(runsConnectors)) {
      const rds = touching(statements(synthesized, spec.id), 'rds-data:');
      const expected = spec.grants.includes('connectors:erase') ? ['rds-data:ExecuteStatement', ...TRANSACTIONS].sort() : ['rds-data:ExecuteStatement'];
      expect(actionsOf(rds), spec.id).toEqual(expected);
      expect(rds.map((st) => st.Resource), spec.id).toEqual([CLUSTER]);
    }
  });

  it('lets them read the Data API secret itself, by its full ARN', () => {
    for (const spec of FUNCTIONS.filter(runsConnectors)) {
      const resources = touching(statements(synthesized, spec.id), 'secretsmanager:').flatMap((st) => (Array.isArray(st.Resource) ? st.Resource : [st.Resource]));
      expect(resources, spec.id).toContain(SECRET);
    }
  });

  it('adds exactly those grants to what the functions had without a relational connector', () => {
    for (const spec of FUNCTIONS) {
      const added = actionsOf(statements(synthesized, spec.id)).filter((a) => !actionsOf(statements(baseline, spec.id)).includes(a));
      const expected = !runsConnectors(spec) ? [] : spec.grants.includes('connectors:erase') ? ['rds-data:ExecuteStatement', ...TRANSACTIONS].sort() : ['rds-data:ExecuteStatement'];
      expect(added, spec.id).toEqual(expected);
    }
  });

  it('needs no VPC: no function is placed in one, and the template has no network resources', () => {
    for (const spec of FUNCTIONS) expect(synthesized.template.toJSON().Resources[synthesized.stack.getLogicalId(synthesized.orchestrator.functions[spec.id]!.node.defaultChild as never)].Properties.VpcConfig).toBeUndefined();
    expect(Object.keys(synthesized.template.findResources('AWS::EC2::SecurityGroup'))).toEqual([]);
  });

  it('gives no function outside the connector steps any Data API or cluster access', () => {
    for (const spec of FUNCTIONS.filter((f) => !runsConnectors(f))) {
      expect(JSON.stringify(statements(synthesized, spec.id)), spec.id).not.toMatch(/rds-data|cluster:product|product-data-api/);
    }
  });
});
