/**
 * The CDK app for one shinykit.yaml: the data stack and the host stack.
 * Pure apart from synthesis: bin/shinykit.ts loads the config, `shinykit plan`
 * and the tests call `buildApp` in-process.
 */
import { efsStorageRefs } from './constructs/efs-storage.js';
import { App, Tags, Validations, type Environment } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Config } from './config/index.js';
import { PROJECT_TAG_KEY, stackNames } from './outputs.js';
import { DataStack } from './stacks/data-stack.js';
import { HostStack } from './stacks/host-stack.js';
import type { SamlMetadata } from './config/files.js';

export interface BuildAppOptions {
  /** Cloud assembly directory. @default the CDK default (cdk.out, or the CLI's choice) */
  readonly outdir?: string;
  /** Run the cdk-nag AwsSolutions checks at synthesis. @default false */
  readonly nag?: boolean;
  /** SAML metadata XML by `metadataFile`, read from disk by the caller (lib/config/files.ts). @default none */
  readonly samlMetadata?: SamlMetadata;
  /**
   * Run aws-cdk-lib's built-in CloudFormation validation (a WASM rule engine) at synthesis.
   * It dominates synth time (about 7 of 8 s for the bundled kit) and, unless the
   * `@aws-cdk/core:validateAgainstDefaultRules` flag is set, only ever warns. Our CI runs it
   * with cdk-nag and cfn-lint on every config variant, so `plan`, the template tests and
   * `cdk deploy` leave it off. @default false
   */
  readonly cfnValidation?: boolean;
}

/**
 * Feature flags the stacks are written for. They live here rather than in cdk.json
 * so tests and `shinykit plan`, which build the app in-process, synthesize exactly
 * what `cdk synth` does. Only flags the pinned aws-cdk-lib defines (its cx-api
 * FLAGS table; a test checks): an unknown key is silently ignored, so a stale one
 * only misleads the reader. (`aws-iam:standardizedServicePrincipals` and
 * `aws-ecr:removeLifecyclePolicyRetentionAttribute` were dropped for that reason.)
 */
export const CDK_FEATURE_FLAGS = {
  '@aws-cdk/core:checkSecretUsage': true,
  '@aws-cdk/aws-iam:minimizePolicies': true,
  '@aws-cdk/core:enablePartitionLiterals': true,
  '@aws-cdk/aws-ec2:restrictDefaultSecurityGroup': true,
  '@aws-cdk/aws-ec2:uniqueImdsv2TemplateName': true,
  // AwsCustomResource (the ECS service-linked role) uses the Lambda runtime's SDK
  // rather than downloading the latest at deploy time (no npm at deploy time).
  '@aws-cdk/customresources:installLatestAwsSdkDefault': false,
  '@aws-cdk/core:target-partitions': ['aws'],
  // Strong (Export/ImportValue): CloudFormation refuses to delete the data stack
  // while a host stack still uses its pool and address.
  '@aws-cdk/core:defaultCrossStackReferences': 'strong',
} as const;

export function buildApp(cfg: Config, opts: BuildAppOptions = {}): { app: App; data: DataStack; host: HostStack } {
  const app = new App({
    outdir: opts.outdir,
    context: { ...CDK_FEATURE_FLAGS },
    builtinCloudFormationValidation: opts.cfnValidation ?? false,
  });
  // Env-agnostic unless the config pins a region: synth then needs no account,
  // no credentials and no lookups.
  const env: Environment | undefined = cfg.region ? { region: cfg.region } : undefined;
  const names = stackNames(cfg);

  const data = new DataStack(app, names.data, {
    config: cfg,
    samlMetadata: opts.samlMetadata,
    env,
    description: `shinykit ${cfg.name}: Cognito users, ECR repositories, Elastic IP (retained on deletion)`,
    // `cdk destroy` must not take the users, images and address by accident: CloudFormation
    // refuses to delete the stack until termination protection is turned off (docs/teardown.md).
    terminationProtection: true,
  });
  const host = new HostStack(app, names.host, {
    config: cfg,
    env,
    description: `shinykit ${cfg.name}: the ShinyProxy host (replaceable)`,
    eipPublicIp: data.address.publicIp,
    eipAllocationId: data.address.allocationId,
    userPoolId: data.identity.userPool.userPoolId,
    userPoolArn: data.identity.userPool.userPoolArn,
    userPoolClientId: data.identity.client.userPoolClientId,
    cognitoDomainUrl: data.cognitoDomainUrl,
    storage: data.storage ? efsStorageRefs(data.storage) : undefined,
  });
  host.addStackDependency(data, 'the host uses the user pool, the client and the Elastic IP');

  Tags.of(app).add(PROJECT_TAG_KEY, cfg.name);
  if (opts.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, data, host };
}
