/**
 * GroupMapping: the Cognito pre-token-generation trigger that turns a federated
 * user's provider groups (custom:groups) into kit groups in `cognito:groups`
 * (assets/lambda/pre-token). Its own log group with a retention, and a role that
 * may only write to that log group: the function calls no AWS API.
 */
import { CfnResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { triggerGroupMapping, trustedEmailProviders, type Config } from '../config/index.js';
import { assetsDir } from '../assets.js';

export interface GroupMappingProps {
  readonly config: Config;
  /** How long the trigger's logs are kept. @default three months */
  readonly logRetention?: logs.RetentionDays;
}

export class GroupMapping extends Construct {
  readonly function: lambda.Function;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: GroupMappingProps) {
    super(scope, id);
    const cog = props.config.cognito;

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      // Logs hold no state worth keeping once the pool's trigger is gone.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // No AWSLambdaBasicExecutionRole: it allows writing to every log group.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'shinykit pre-token-generation trigger: writes its own logs, nothing else',
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    this.function = new lambda.Function(this, 'Function', {
      description: 'shinykit: maps provider groups (custom:groups) to kit groups in cognito:groups',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      // The .d.mts files only type the tests.
      code: lambda.Code.fromAsset(preTokenAssetDir(), { exclude: ['*.d.mts', '*.test.*'] }),
      // Cognito waits at most 5 s for a trigger; the mapping is a lookup.
      timeout: Duration.seconds(5),
      memorySize: 128,
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        GROUP_MAPPING: JSON.stringify(triggerGroupMapping(props.config)),
        DEFAULT_GROUPS: JSON.stringify(cog.defaultGroups),
        // Omitted when empty so templates from before this setting stay identical.
        ...(cog.federatedEmailDomains.length > 0 ? { EMAIL_DOMAINS: JSON.stringify(cog.federatedEmailDomains) } : {}),
        ...(trustedEmailProviders(props.config).length > 0 ? { TRUSTED_EMAIL_PROVIDERS: JSON.stringify(trustedEmailProviders(props.config)) } : {}),
      },
    });
    // CDK makes the function depend on its role and the role's policy; the role
    // (and the log group) are already ordered by Role's GetAtt and LoggingConfig's
    // Ref, which cfn-lint flags (W3005). Keep only the policy: without it the
    // function could run before it may write its logs.
    const policy = this.role.node.findChild('DefaultPolicy').node.defaultChild as CfnResource;
    (this.function.node.defaultChild as CfnResource).addOverride('DependsOn', [Stack.of(this).getLogicalId(policy)]);
  }
}

/** assets/lambda/pre-token, from source (lib/constructs) or from the build (dist/lib/constructs). */
export function preTokenAssetDir(): string {
  return assetsDir('lambda/pre-token', 'index.mjs');
}
