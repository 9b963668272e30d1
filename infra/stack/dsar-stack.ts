/**
 * The project's own deployment: one stack holding one `DsarOrchestrator`. Teams embedding the construct
 * in their own app do not need this file.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { DsarOrchestrator, type DsarOrchestratorProps } from './dsar-orchestrator.ts';

export class DsarStack extends Stack {
  readonly orchestrator: DsarOrchestrator;

  constructor(scope: Construct, id: string, props: StackProps & { orchestrator: DsarOrchestratorProps }) {
    super(scope, id, props);
    this.orchestrator = new DsarOrchestrator(this, 'Dsar', props.orchestrator);
    const o = this.orchestrator;
    // Where the console's distribution fronts the API, the API's own execute-api URL refuses calls that
    // did not come through it (functions/handlers/edge-only.ts), so the output names the distribution.
    new CfnOutput(this, 'ApiUrl', {
      value: o.console ? o.console.url : o.api.apiEndpoint,
      description: o.console ? 'Public and staff API base URL (through CloudFront, under /v1/*)' : 'Public and staff API base URL',
    });
    new CfnOutput(this, 'StaffUserPoolId', { value: o.userPool.userPoolId });
    new CfnOutput(this, 'StaffUserPoolClientId', { value: o.userPoolClient.userPoolClientId });
    new CfnOutput(this, 'StateMachineArn', { value: o.stateMachine.stateMachineArn });
    new CfnOutput(this, 'ConfigurationSetName', { value: o.configurationSet.configurationSetName });
    // What `dsar smoke --stack` reads (infra/cli/smoke.ts).
    new CfnOutput(this, 'TableName', { value: o.table.tableName, description: 'The request table (the smoke test reads its audit trail)' });
    new CfnOutput(this, 'SenderAddress', { value: o.config.email.from, description: 'The address mail is sent from' });
    new CfnOutput(this, 'SmokeTestAlarmName', { value: o.smokeTestAlarm.alarmName, description: 'The alarm `dsar smoke` forces into ALARM' });
    if (o.console) new CfnOutput(this, 'ConsoleUrl', { value: `${o.console.url}/console/`, description: 'Staff console (the public request page is at /request/)' });
  }
}
