/**
 * The edge in front of the API: where the console's CloudFront distribution serves /v1/*, calls that
 * skip it are refused (a secret origin header the API functions check), the functions read the caller's
 * IP from CloudFront's viewer-address header, and the stack's API URL is the distribution's. Without
 * the console none of that applies. Bundling is skipped (stack.test.ts checks the bundles); cdk-nag runs.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../../infra/functions.ts';
import { DsarStack } from '../../../infra/stack/dsar-stack.ts';
import { EDGE_SECRET_HEADER } from '../../../functions/handlers/edge-only.ts';
import { logicalId, synthFast } from './helpers.ts';

const synth = (consoleEnabled: boolean) =>
  synthFast(consoleEnabled ? 'WithEdge' : 'WithoutEdge', { alarmEmail: 'ops@example-video.test', console: { enabled: consoleEnabled } });

const envOf = (template: Template, stack: DsarStack, id: string) =>
  (template.toJSON().Resources[logicalId(stack, stack.orchestrator.functions[id]!)].Properties.Environment?.Variables ?? {}) as Record<string, unknown>;

let withEdge: ReturnType<typeof synth>;
let withoutEdge: ReturnType<typeof synth>;
beforeAll(() => {
  withEdge = synth(true);
  withoutEdge = synth(false);
}, 300_000);

describe('an API fronted by the console distribution', () => {
  it('synthesizes with no unacknowledged cdk-nag finding', () => {
    expect(withEdge.error?.message).toBeUndefined();
  });

  it('has CloudFront add a generated secret to every API call, resolved from Secrets Manager at deploy', () => {
    const { template, stack } = withEdge;
    const secretId = logicalId(stack, stack.orchestrator.edgeSecret!);
    template.hasResourceProperties('AWS::SecretsManager::Secret', { GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true } });
    const distribution = Object.values(template.findResources('AWS::CloudFront::Distribution'))[0]!.Properties.DistributionConfig;
    const api = distribution.CacheBehaviors.find((b: { PathPattern: string }) => b.PathPattern === '/v1/*');
    const origin = distribution.Origins.find((o: { Id: string }) => o.Id === api.TargetOriginId);
    const [header, ...others] = origin.OriginCustomHeaders;
    expect(others).toHaveLength(0);
    expect(header.HeaderName).toBe(EDGE_SECRET_HEADER);
    const value = JSON.stringify(header.HeaderValue);
    expect(value).toContain('{{resolve:secretsmanager:');
    expect(value).toContain(secretId);
  });

  it('gives every API function that secret and CloudFront\'s viewer-address header for the client IP, and no workflow step either', () => {
    const { template, stack } = withEdge;
    const secretId = logicalId(stack, stack.orchestrator.edgeSecret!);
    for (const spec of FUNCTIONS) {
      const env = envOf(template, stack, spec.id);
      if (spec.routes?.length) {
        expect(JSON.stringify(env.DSAR_EDGE_SECRET)).toContain(secretId);
        expect(env.DSAR_CLIENT_IP_HEADER).toBe('cloudfront-viewer-address');
      } else {
        expect(env).not.toHaveProperty('DSAR_EDGE_SECRET');
        expect(env).not.toHaveProperty('DSAR_CLIENT_IP_HEADER');
      }
    }
  });

  it('publishes the distribution as the API URL, not the execute-api endpoint that refuses direct calls', () => {
    const { template, stack } = withEdge;
    const output = template.toJSON().Outputs.ApiUrl;
    expect(JSON.stringify(output.Value)).toContain(logicalId(stack, stack.orchestrator.console!.distribution));
    expect(JSON.stringify(output.Value)).not.toContain('ApiEndpoint');
  });
});

describe('an API without the console', () => {
  it('synthesizes with no unacknowledged cdk-nag finding', () => {
    expect(withoutEdge.error?.message).toBeUndefined();
  });

  it('checks no origin secret and takes the client IP from API Gateway, and publishes the execute-api URL', () => {
    const { template, stack } = withoutEdge;
    const secrets = Object.keys(template.findResources('AWS::SecretsManager::Secret'));
    expect(secrets.filter((id) => id.includes('EdgeOriginSecret'))).toEqual([]);
    for (const spec of FUNCTIONS) {
      expect(envOf(template, stack, spec.id)).not.toHaveProperty('DSAR_EDGE_SECRET');
      expect(envOf(template, stack, spec.id)).not.toHaveProperty('DSAR_CLIENT_IP_HEADER');
    }
    expect(template.toJSON().Outputs.ApiUrl.Value).toEqual({ 'Fn::GetAtt': [logicalId(stack, stack.orchestrator.api), 'ApiEndpoint'] });
  });
});
