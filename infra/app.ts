/**
 * The CDK app (`npx cdk synth`): one stack, configured from `config/example.config.json` unless
 * `DSAR_CONFIG_FILE` names your own configuration, checked by cdk-nag's AWS Solutions rules on every
 * synth so a finding fails the build instead of surprising a security review.
 */
import { fileURLToPath } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { propsFromContext } from './stack/context.ts';
import { DsarStack } from './stack/dsar-stack.ts';

const app = new App();
const configFile = process.env.DSAR_CONFIG_FILE ?? fileURLToPath(new URL('../config/example.config.json', import.meta.url));

new DsarStack(app, app.node.tryGetContext('stackName') ?? 'DsarStack', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  description: 'DSAR orchestrator: data subject requests end to end',
  // -c alarmEmail=…, -c enableWaf=true, -c sesIdentity=…, -c createSesIdentity=false (docs/deploy.md).
  orchestrator: { config: configFile, ...propsFromContext(app) },
});

Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
