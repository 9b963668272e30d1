/**
 * The staff console and the public request pages on AWS: the built site in a private S3 bucket, served
 * by CloudFront through an origin access control, with the HTTP API as a second origin for `/v1/*`, so
 * pages and API share one origin (no CORS, `apiBaseUrl` empty). Every page, asset and config.json gets
 * the strict headers of infra/console-headers.ts from a response headers policy; a CloudFront Function
 * answers `/console/*` and `/request/*` with their HTML shell (routing happens in the browser); staff
 * sign in with the Cognito hosted UI (authorization code with PKCE), configured by the `config.json` the
 * deployment writes next to the site.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { DockerImage, Duration, Fn, Names, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { JURISDICTIONS, REQUEST_TYPES, type DsarConfig } from '../../functions/commons/config.ts';
import { EDGE_SECRET_HEADER } from '../../functions/handlers/edge-only.ts';
import { securityHeaders } from '../console-headers.ts';
import { SECURITY_HEADERS as API_HEADERS } from '../../functions/handlers/security-headers.ts';
import { nagString } from './nag.ts';
import { PACKAGE_ROOT as ROOT } from './package-root.ts';

export interface DsarConsoleProps {
  /** Deploy the console and the public pages. Default true; false deploys the API only. */
  readonly enabled?: boolean;
  /**
   * The hosted UI base URL of a Cognito domain the staff pool already has, e.g.
   * `https://corp.auth.eu-west-1.amazoncognito.com`. Without it the construct adds a Cognito domain to
   * the pool (a pool has at most one).
   */
  readonly cognitoDomainUrl?: string;
  /** Prefix of the Cognito domain the construct adds. Default `dsar-<hash>-<part of the stack id>`, unique per stack. */
  readonly cognitoDomainPrefix?: string;
  /** A custom domain for the distribution, with its ACM certificate (which must be in us-east-1). */
  readonly domainName?: string;
  readonly certificate?: acm.ICertificate;
  /**
   * A prebuilt site (what `tsx console/src/build.ts <dir>` writes) instead of building the console
   * with esbuild at synth time.
   */
  readonly siteDir?: string;
  /**
   * ARN of an AWS WAF web ACL with CLOUDFRONT scope (such ACLs live in us-east-1) to put in front of
   * the console, the public pages and the API. WAF cannot be attached to an API Gateway HTTP API
   * itself, so this distribution is where rate-based rules for the public API go.
   */
  readonly webAclArn?: string;
}

export interface ConsoleSiteProps extends DsarConsoleProps {
  readonly config: DsarConfig;
  readonly api: apigwv2.HttpApi;
  /** Added by CloudFront as an origin header to every API call; the API refuses calls without it. */
  readonly edgeSecret: secretsmanager.ISecret;
  readonly userPool: cognito.IUserPool;
  readonly userPoolClient: cognito.IUserPoolClient;
  /** True when the construct created the app client: its OAuth settings are then set here. */
  readonly ownClient: boolean;
  /** Where the site bucket's S3 access logs go. */
  readonly logBucket: s3.IBucket;
  readonly removalPolicy: RemovalPolicy;
  readonly logRetention: logs.RetentionDays;
}

/** Answers the HTML shell for page paths; files (a dot in the last segment) are served as they are. */
export const PAGE_REWRITE = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  var last = uri.substring(uri.lastIndexOf('/') + 1);
  if (last.indexOf('.') !== -1) return request;
  if (uri === '/console' || uri.indexOf('/console/') === 0) request.uri = '/console/index.html';
  else if (uri === '/request' || uri.indexOf('/request/') === 0) request.uri = '/request/index.html';
  return request;
}`;

export class ConsoleSite extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly responseHeadersPolicy: cloudfront.ResponseHeadersPolicy;
  /** The API's security headers under /v1/*, for the answers API Gateway gives itself. */
  readonly apiResponseHeadersPolicy: cloudfront.ResponseHeadersPolicy;
  readonly deployment: s3deploy.BucketDeployment;
  /** `https://<host>`: the console is at /console/, the public request page at /request/ (and /). */
  readonly url: string;
  /** The Cognito hosted UI base URL the console signs in with. */
  readonly cognitoDomainUrl: string;

  constructor(scope: Construct, id: string, props: ConsoleSiteProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const destroy = props.removalPolicy === RemovalPolicy.DESTROY;

    // The built site is public code, no personal data: S3-managed encryption keeps OAC simple (a KMS
    // key would need CloudFront in its policy) and costs nothing per request.
    this.bucket = new s3.Bucket(this, 'Site', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.logBucket,
      serverAccessLogsPrefix: 'console-site/',
      removalPolicy: props.removalPolicy,
      autoDeleteObjects: destroy,
    });

    // ---- Cognito hosted UI ----
    if (props.cognitoDomainUrl) {
      this.cognitoDomainUrl = props.cognitoDomainUrl.replace(/\/$/, '');
    } else {
      // Globally unique per region: a hash of this construct's path and the first part of the stack's id.
      const stackPart = Fn.select(0, Fn.split('-', Fn.select(2, Fn.split('/', stack.stackId))));
      const prefix = props.cognitoDomainPrefix ?? `dsar-${createHash('sha256').update(this.node.path).digest('hex').slice(0, 6)}-${stackPart}`;
      const domain = new cognito.UserPoolDomain(this, 'StaffDomain', { userPool: props.userPool, cognitoDomain: { domainPrefix: prefix } });
      this.cognitoDomainUrl = domain.baseUrl();
    }

    // ---- distribution ----
    // Response headers policies and origin access controls are named per account, in every region: CDK's
    // default names come from the construct path only, so the same stack in two regions would collide.
    const accountWideName = (suffix: string, maxLength: number) =>
      `${Names.uniqueResourceName(this, { maxLength: maxLength - suffix.length - 16 })}${suffix}-${stack.region}`;
    const headers = securityHeaders([this.cognitoDomainUrl, props.api.apiEndpoint]);
    const custom = (name: string) => ({ header: name, value: headers[name]!, override: true });
    this.responseHeadersPolicy = new cloudfront.ResponseHeadersPolicy(this, 'Headers', {
      responseHeadersPolicyName: accountWideName('Headers', 128),
      comment: 'DSAR console: strict CSP and security headers (infra/console-headers.ts)',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: headers['content-security-policy']!, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.seconds(63_072_000), includeSubdomains: true, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [custom('cross-origin-opener-policy'), custom('cross-origin-resource-policy'), custom('permissions-policy')],
      },
    });
    // API Gateway's own answers (the authorizer's 401, 404, 413) carry no headers of their own: this adds
    // the functions' security headers to them. Override off, so a function's answer stays as it is.
    this.apiResponseHeadersPolicy = new cloudfront.ResponseHeadersPolicy(this, 'ApiHeaders', {
      responseHeadersPolicyName: accountWideName('ApiHeaders', 128),
      comment: 'DSAR API: the security headers of the functions on the API gateway answers too (functions/handlers/security-headers.ts)',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: API_HEADERS['content-security-policy'], override: false },
        contentTypeOptions: { override: false },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: false },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.seconds(Number(/max-age=(\d+)/.exec(API_HEADERS['strict-transport-security'])![1])),
          includeSubdomains: API_HEADERS['strict-transport-security'].includes('includeSubDomains'),
          override: false,
        },
      },
      customHeadersBehavior: { customHeaders: [{ header: 'cache-control', value: API_HEADERS['cache-control'], override: false }] },
    });
    const rewrite = new cloudfront.Function(this, 'PageRewrite', {
      code: cloudfront.FunctionCode.fromInline(PAGE_REWRITE),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      comment: 'Answers /console/* and /request/* with their HTML shell',
    });
    const apiHost = Fn.select(2, Fn.split('/', props.api.apiEndpoint));
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'DSAR console, public request pages and API',
      defaultRootObject: 'request/index.html',
      ...(props.domainName && props.certificate
        ? { domainNames: [props.domainName], certificate: props.certificate, minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 }
        : {}),
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      ...(props.webAclArn ? { webAclId: props.webAclArn } : {}),
      // No CloudFront standard logs: they record every query string, and the subject's status and
      // download links carry their tokens there (the API's access log leaves query strings out).
      enableLogging: false,
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket, {
          originAccessControl: new cloudfront.S3OriginAccessControl(this, 'SiteAccess', { originAccessControlName: accountWideName('Oac', 64) }),
        }),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.responseHeadersPolicy,
        functionAssociations: [{ function: rewrite, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
        compress: true,
      },
      additionalBehaviors: {
        // The API: never cached; every viewer header but Host (API Gateway routes by its own host name),
        // the Authorization header included (CloudFront forwards it when caching is disabled).
        '/v1/*': {
          origin: new origins.HttpOrigin(apiHost, {
            protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
            originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
            // Proves to the API that the call came through here (functions/handlers/edge-only.ts).
            customHeaders: { [EDGE_SECRET_HEADER]: props.edgeSecret.secretValue.unsafeUnwrap() },
          }),
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: this.apiResponseHeadersPolicy,
        },
      },
    });
    this.url = `https://${props.domainName ?? this.distribution.distributionDomainName}`;

    // ---- the app client: authorization code with PKCE, back to this site ----
    if (props.ownClient) {
      const client = props.userPoolClient.node.defaultChild as cognito.CfnUserPoolClient;
      client.allowedOAuthFlowsUserPoolClient = true;
      client.allowedOAuthFlows = ['code'];
      client.allowedOAuthScopes = ['openid', 'email', 'profile'];
      client.supportedIdentityProviders = ['COGNITO'];
      client.callbackUrLs = [`${this.url}/console/callback`];
      client.logoutUrLs = [`${this.url}/console/`];
    }

    // ---- the files and config.json ----
    const clientConfig = {
      apiBaseUrl: '',
      auth: {
        mode: 'cognito',
        domain: this.cognitoDomainUrl,
        clientId: props.userPoolClient.userPoolClientId,
        redirectUri: `${this.url}/console/callback`,
        logoutUri: `${this.url}/console/`,
        scopes: ['openid', 'email', 'profile'],
      },
      publicForm: {
        organisation: props.config.organisation.name,
        types: [...REQUEST_TYPES],
        askJurisdiction: props.config.jurisdictions.askSubject,
        jurisdictions: [...JURISDICTIONS],
        defaultJurisdiction: props.config.jurisdictions.default,
        agentPermissionMaxBytes: props.config.agents.permissionMaxBytes,
      },
    };
    const deployLogs = new logs.LogGroup(this, 'DeployLogs', { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    const deployRole = new iam.Role(this, 'DeployRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Copies the built console into its bucket',
    });
    deployRole.addToPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [deployLogs.logGroupArn] }));
    this.deployment = new s3deploy.BucketDeployment(this, 'Deploy', {
      sources: [siteSource(props.siteDir), s3deploy.Source.jsonData('console/config.json', clientConfig)],
      destinationBucket: this.bucket,
      // File names carry no hash: browsers revalidate every file (cheap, ETags), so a deploy shows at once.
      cacheControl: [s3deploy.CacheControl.noCache()],
      prune: true,
      memoryLimit: 256,
      role: deployRole,
      logGroup: deployLogs,
    });

    this.acknowledge(deployRole);
  }

  private acknowledge(deployRole: iam.Role): void {
    const v = Validations.of(this);
    v.acknowledge(
      {
        id: 'AwsSolutions-CFR3',
        reason:
          'CloudFront standard logs record full query strings, and the subjects\' status and download links carry their tokens there; the API access log (without query strings) and the site bucket\'s S3 access log record the requests instead.',
      },
      {
        id: 'AwsSolutions-CFR1',
        reason: 'Data subjects may file from any country (GDPR applies to them wherever they are); no geographic restriction is wanted.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'The pages are static files; the API behind /v1/* is throttled at its stage and its staff routes need a Cognito JWT. A CloudFront web ACL lives in us-east-1 and is added by teams whose policy needs it (docs/deploy.md).',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'With the default *.cloudfront.net certificate CloudFront cannot enforce TLS 1.2; with a custom domain (props console.domainName and certificate) the policy is TLSv1.2_2021.',
      },
    );
    // The BucketDeployment handler's grants, on its own role: read the CDK asset, sync this bucket.
    const stack = Stack.of(this);
    const qualifier = String(this.node.tryGetContext('@aws-cdk/core:bootstrapQualifier') ?? 'hnb659fds');
    const assets = nagString(stack, `arn:${stack.partition}:s3:::cdk-${qualifier}-assets-${stack.account}-${stack.region}/*`);
    const reason =
      'CDK BucketDeployment grants its handler read of the staged asset in the CDK assets bucket and sync (read, write, delete with prune) of the console bucket\'s objects: the site\'s own files, no data.';
    Validations.of(deployRole).acknowledge(
      ...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'].map((a) => ({ id: `AwsSolutions-IAM5[Action::${a}]`, reason })),
      { id: `AwsSolutions-IAM5[Resource::${nagString(stack, this.bucket.arnForObjects('*'))}]`, reason },
      { id: `AwsSolutions-IAM5[Resource::${assets}]`, reason },
    );
    // The handler itself is a stack-wide singleton CDK creates next to this construct.
    for (const handler of stack.node.children.filter((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'))) {
      Validations.of(handler).acknowledge({
        id: 'AwsSolutions-L1',
        reason: 'The BucketDeployment handler\'s runtime is chosen by aws-cdk-lib (with its AWS CLI layer) and moves with CDK upgrades; it runs at deploy time only, never on a request.',
      });
    }
  }
}

/** The site as a CDK asset: built with the console's own esbuild build at synth, or a prebuilt directory. */
function siteSource(siteDir: string | undefined): s3deploy.ISource {
  if (siteDir) return s3deploy.Source.asset(siteDir);
  return s3deploy.Source.asset(join(ROOT, 'console'), {
    exclude: ['dist', 'node_modules'],
    bundling: {
      // Only used when local bundling fails; building needs the repository's node_modules, see docs/deploy.md.
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:24-slim'),
      command: ['sh', '-c', 'echo "build the console with: npx tsx console/src/build.ts <dir>, then pass console.siteDir" && exit 1'],
      local: {
        tryBundle(outputDir: string) {
          // tsx is resolved like any import: installed as a dependency, it is hoisted out of this package.
          const tsx = createRequire(import.meta.url).resolve('tsx/cli');
          execFileSync(process.execPath, [tsx, join(ROOT, 'console/src/build.ts'), outputDir], { stdio: ['ignore', 'ignore', 'inherit'] });
          return true;
        },
      },
    },
  });
}

