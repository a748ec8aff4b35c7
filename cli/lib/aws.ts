/**
 * The AWS client factory. Commands receive clients from here (injected), so
 * tests point them at moto_server through the SDK's standard endpoint
 * variables (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>) with no patching.
 */
import { createRequire } from 'node:module';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { Route53Client } from '@aws-sdk/client-route-53';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { STSClient } from '@aws-sdk/client-sts';

// Each SDK client package costs tenths of a second to load: load one only when a
// command first asks for that client. The packages resolve to the same CommonJS
// build whether imported or required, so command classes stay compatible.
const require = createRequire(import.meta.url);
export const sdk = {
  cloudformation: () => require('@aws-sdk/client-cloudformation') as typeof import('@aws-sdk/client-cloudformation'),
  cognito: () => require('@aws-sdk/client-cognito-identity-provider') as typeof import('@aws-sdk/client-cognito-identity-provider'),
  ec2: () => require('@aws-sdk/client-ec2') as typeof import('@aws-sdk/client-ec2'),
  ecr: () => require('@aws-sdk/client-ecr') as typeof import('@aws-sdk/client-ecr'),
  logs: () => require('@aws-sdk/client-cloudwatch-logs') as typeof import('@aws-sdk/client-cloudwatch-logs'),
  ecs: () => require('@aws-sdk/client-ecs') as typeof import('@aws-sdk/client-ecs'),
  iam: () => require('@aws-sdk/client-iam') as typeof import('@aws-sdk/client-iam'),
  route53: () => require('@aws-sdk/client-route-53') as typeof import('@aws-sdk/client-route-53'),
  secretsManager: () => require('@aws-sdk/client-secrets-manager') as typeof import('@aws-sdk/client-secrets-manager'),
  ssm: () => require('@aws-sdk/client-ssm') as typeof import('@aws-sdk/client-ssm'),
  sesv2: () => require('@aws-sdk/client-sesv2') as typeof import('@aws-sdk/client-sesv2'),
  sts: () => require('@aws-sdk/client-sts') as typeof import('@aws-sdk/client-sts'),
};

export interface AwsSettings {
  readonly profile?: string;
  readonly region?: string;
  /** Override the SDK's retry count (bulk user work does its own pacing). */
  readonly maxAttempts?: number;
  /**
   * Every service at this endpoint with these credentials (in-process tests against
   * moto_server). The CLI itself leaves both to the SDK's chain, where AWS_ENDPOINT_URL
   * and AWS_ENDPOINT_URL_<SERVICE> do the same for the built CLI.
   */
  readonly endpoint?: string;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string };
}

export interface AwsClients {
  readonly settings: AwsSettings;
  /** The same factory with some settings changed (users import: no SDK retries, its pacer retries). */
  with(overrides: Partial<AwsSettings>): AwsClients;
  cognito(): CognitoIdentityProviderClient;
  ecr(): ECRClient;
  ssm(): SSMClient;
  cloudformation(): CloudFormationClient;
  sts(): STSClient;
  /** backend: ecs (doctor checks the cluster). */
  ecs(): ECSClient;
  /** backend: ecs (doctor checks the app roles; preflight the ECS service-linked role). */
  iam(): IAMClient;
  /** preflight: Elastic IP quota, instance type offerings. */
  ec2(): EC2Client;
  /** preflight: the identity providers' client secrets exist (DescribeSecret, never the value). */
  secretsManager(): SecretsManagerClient;
  /** preflight: the hosted zone exists. */
  route53(): Route53Client;
  /** cognito.email (doctor checks the SES identity), in the SES identity's region when it differs. */
  sesv2(region?: string): SESv2Client;
  /** logs: the host's and the ECS apps' log groups. */
  logs(): CloudWatchLogsClient;
}

/** Clients are created on first use and reused, one per service. */
export function createAwsClients(settings: AwsSettings): AwsClients {
  const config = {
    ...(settings.profile ? { profile: settings.profile } : {}),
    ...(settings.region ? { region: settings.region } : {}),
    ...(settings.maxAttempts ? { maxAttempts: settings.maxAttempts } : {}),
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
  };
  const cache = new Map<string, unknown>();
  const lazy = <T>(key: string, make: () => T) => (): T => {
    if (!cache.has(key)) cache.set(key, make());
    return cache.get(key) as T;
  };
  return {
    settings,
    with: (overrides) => createAwsClients({ ...settings, ...overrides }),
    cognito: lazy('cognito', () => new (sdk.cognito().CognitoIdentityProviderClient)(config)),
    ecr: lazy('ecr', () => new (sdk.ecr().ECRClient)(config)),
    ssm: lazy('ssm', () => new (sdk.ssm().SSMClient)(config)),
    cloudformation: lazy('cloudformation', () => new (sdk.cloudformation().CloudFormationClient)(config)),
    sts: lazy('sts', () => new (sdk.sts().STSClient)(config)),
    ecs: lazy('ecs', () => new (sdk.ecs().ECSClient)(config)),
    iam: lazy('iam', () => new (sdk.iam().IAMClient)(config)),
    ec2: lazy('ec2', () => new (sdk.ec2().EC2Client)(config)),
    secretsManager: lazy('secretsManager', () => new (sdk.secretsManager().SecretsManagerClient)(config)),
    route53: lazy('route53', () => new (sdk.route53().Route53Client)(config)),
    sesv2: (region) => lazy(`sesv2:${region ?? ''}`, () => new (sdk.sesv2().SESv2Client)({ ...config, ...(region ? { region } : {}) }))(),
    logs: lazy('logs', () => new (sdk.logs().CloudWatchLogsClient)(config)),
  };
}
