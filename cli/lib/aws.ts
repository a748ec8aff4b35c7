/**
 * The AWS client factory. Commands receive clients from here (injected), so
 * tests point them at moto_server through the SDK's standard endpoint
 * variables (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>) with no patching.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { IAMClient } from '@aws-sdk/client-iam';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';

export interface AwsSettings {
  readonly profile?: string;
  readonly region?: string;
  /** Override the SDK's retry count (bulk user work does its own pacing). */
  readonly maxAttempts?: number;
}

export interface AwsClients {
  readonly settings: AwsSettings;
  cognito(): CognitoIdentityProviderClient;
  ecr(): ECRClient;
  ssm(): SSMClient;
  cloudformation(): CloudFormationClient;
  sts(): STSClient;
  /** backend: ecs (doctor checks the cluster). */
  ecs(): ECSClient;
  /** backend: ecs (doctor checks the app roles). */
  iam(): IAMClient;
}

/** Clients are created on first use and reused, one per service. */
export function createAwsClients(settings: AwsSettings): AwsClients {
  const config = {
    ...(settings.profile ? { profile: settings.profile } : {}),
    ...(settings.region ? { region: settings.region } : {}),
    ...(settings.maxAttempts ? { maxAttempts: settings.maxAttempts } : {}),
  };
  const cache = new Map<string, unknown>();
  const lazy = <T>(key: string, make: () => T) => (): T => {
    if (!cache.has(key)) cache.set(key, make());
    return cache.get(key) as T;
  };
  return {
    settings,
    cognito: lazy('cognito', () => new CognitoIdentityProviderClient(config)),
    ecr: lazy('ecr', () => new ECRClient(config)),
    ssm: lazy('ssm', () => new SSMClient(config)),
    cloudformation: lazy('cloudformation', () => new CloudFormationClient(config)),
    sts: lazy('sts', () => new STSClient(config)),
    ecs: lazy('ecs', () => new ECSClient(config)),
    iam: lazy('iam', () => new IAMClient(config)),
  };
}
