/**
 * Host: the one EC2 instance running nginx, ShinyProxy and the app containers.
 *
 * The instance is stateless and replaceable: users live in Cognito, images in ECR,
 * configuration in Parameter Store and the address in the data stack's Elastic IP.
 * Its role may do only what the host needs (see `grantHostPermissions`).
 */
import { Lazy, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { HOST_STORAGE_METADATA_KEY, hostArchitecture, hostStorageApps, type Config } from '../config/index.js';
import { HOST_ASSET_EXCLUDE, buildHostUserData, hostAssetsDir } from '../host-bootstrap.js';

export interface HostProps {
  readonly config: Config;
  readonly vpc: ec2.IVpc;
  readonly securityGroup: ec2.ISecurityGroup;
  /** The data stack's Elastic IP (allocation id), associated with the instance. */
  readonly eipAllocationId: string;
  /** The site's name (`domain`, the Elastic IP, or `<ip>.sslip.io`; may be a token). */
  readonly siteHostname: string;
  readonly userPoolId: string;
  readonly userPoolArn: string;
  readonly userPoolClientId: string;
  /** `https://<prefix>.auth.<region>.amazoncognito.com` (a token from the data stack). */
  readonly cognitoDomainUrl: string;
  /** ARNs of this kit's ECR repositories: the only ones the host may pull from. */
  readonly repositoryArns: readonly string[];
  /** Parameter Store prefix (`/shinykit/<name>/`): read below it, write only below `status/` and the certificate store `tls/acme`. */
  readonly parameterPrefix: string;
  /** CloudWatch Logs group name for the host. */
  readonly logGroupName: string;
  /** How long host logs are kept. @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * Public SSM parameters naming the latest Amazon Linux 2023 AMI. The instance
 * resolves them at launch (`resolve:ssm:`), so synth needs no AWS call and a new
 * AMI release does not replace a running host on the next deploy.
 */
export const AL2023_AMI_PARAMETERS = {
  x86_64: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
  arm64: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64',
} as const;

/**
 * What the SSM agent needs for Session Manager and Run Command: the actions of the
 * AWS-managed AmazonSSMManagedInstanceCore policy minus ssm:GetParameter(s), which
 * that policy grants on every parameter in the account. None of these actions
 * supports resource-level permissions, hence `*`.
 */
export const SSM_AGENT_ACTIONS = [
  'ssm:DescribeAssociation',
  'ssm:GetDeployablePatchSnapshotForInstance',
  'ssm:GetDocument',
  'ssm:DescribeDocument',
  'ssm:GetManifest',
  'ssm:ListAssociations',
  'ssm:ListInstanceAssociations',
  'ssm:PutInventory',
  'ssm:PutComplianceItems',
  'ssm:PutConfigurePackageResult',
  'ssm:UpdateAssociationStatus',
  'ssm:UpdateInstanceAssociationStatus',
  'ssm:UpdateInstanceInformation',
  'ssmmessages:CreateControlChannel',
  'ssmmessages:CreateDataChannel',
  'ssmmessages:OpenControlChannel',
  'ssmmessages:OpenDataChannel',
  'ec2messages:AcknowledgeMessage',
  'ec2messages:DeleteMessage',
  'ec2messages:FailMessage',
  'ec2messages:GetEndpoint',
  'ec2messages:GetMessages',
  'ec2messages:SendReply',
] as const;

export const ECR_PULL_ACTIONS = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'] as const;

/**
 * Lets a role pull the kit's images (the host's role; in ecs mode the task
 * execution role too): a registry token, which is account-wide because AWS
 * allows no narrower resource, and image reads on the kit's repositories only.
 */
export function grantEcrPull(role: iam.Role, repositoryArns: readonly string[]): void {
  role.addToPolicy(new iam.PolicyStatement({ sid: 'EcrToken', actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }));
  if (repositoryArns.length > 0) {
    role.addToPolicy(new iam.PolicyStatement({ sid: 'EcrPull', actions: [...ECR_PULL_ACTIONS], resources: [...repositoryArns] }));
  }
}

/**
 * An ARN as cdk-nag names it in a finding id: pseudo parameters as <AWS::Region>
 * etc. when unresolved (env-agnostic stacks), literals when pinned.
 */
export function nagArn(stack: Stack, service: string, resource: string): string {
  const part = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value);
  return `arn:${part(stack.partition, 'Partition')}:${service}:${part(stack.region, 'Region')}:${part(stack.account, 'AccountId')}:${resource}`;
}

export class Host extends Construct {
  readonly instance: ec2.Instance;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  /** assets/host as one zip in the CDK staging bucket; the user data fetches it. */
  readonly hostFiles: s3assets.Asset;

  constructor(scope: Construct, id: string, props: HostProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const cfg = props.config;

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName: props.logGroupName,
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      // Retained even when the host stack's first create rolls back: then its logs are
      // the only account of why the bootstrap failed. The name carries the stack id
      // (lib/stacks/host-stack.ts), so the retry's group never collides with it; the
      // retention still expires what is left.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: `shinykit ${cfg.name} host: SSM agent, ECR pull, own parameters, own log group`,
    });
    this.grantHostPermissions(props);

    this.hostFiles = new s3assets.Asset(this, 'HostFiles', { path: hostAssetsDir(), exclude: [...HOST_ASSET_EXCLUDE] });
    // This one object only (its key is its content hash), not the whole staging bucket
    // that Asset.grantRead would open (s3:GetObject*, s3:List* on bucket/*).
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadHostFiles',
        actions: ['s3:GetObject'],
        resources: [stack.formatArn({ service: 's3', region: '', account: '', resource: this.hostFiles.s3BucketName, resourceName: this.hostFiles.s3ObjectKey })],
      }),
    );

    // The instance's logical id is only known once it exists; user data needs it
    // for cfn-signal, so it goes in lazily.
    let cfnInstance: ec2.CfnInstance | undefined;
    const userData = buildHostUserData({
      config: cfg,
      siteHostname: props.siteHostname,
      userPoolId: props.userPoolId,
      userPoolClientId: props.userPoolClientId,
      cognitoDomainUrl: props.cognitoDomainUrl,
      region: stack.region,
      parameterPrefix: props.parameterPrefix,
      logGroupName: this.logGroup.logGroupName,
      stackName: stack.stackName,
      instanceLogicalId: Lazy.string({ produce: () => cfnInstance!.logicalId }),
    }, this.hostFiles);

    this.instance = new ec2.Instance(this, 'Instance', {
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      securityGroup: props.securityGroup,
      instanceType: new ec2.InstanceType(cfg.host.instanceType),
      machineImage: ec2.MachineImage.resolveSsmParameterAtLaunch(AL2023_AMI_PARAMETERS[hostArchitecture(cfg)], {
        os: ec2.OperatingSystemType.LINUX,
        userData,
      }),
      userData,
      // A changed bootstrap only takes effect on a fresh instance (cloud-init runs once).
      userDataCausesReplacement: true,
      role: this.role,
      // IMDSv2 only, and a hop limit of 1 so app containers (one hop further, on
      // Docker's bridge) cannot reach the metadata service and the host's role.
      httpTokens: ec2.HttpTokens.REQUIRED,
      httpPutResponseHopLimit: 1,
      httpEndpoint: true,
      detailedMonitoring: true,
      blockDevices: [
        {
          deviceName: '/dev/xvda',
          volume: ec2.BlockDeviceVolume.ebs(cfg.host.volumeGiB, {
            volumeType: ec2.EbsDeviceVolumeType.GP3,
            encrypted: true,
            deleteOnTermination: true,
          }),
        },
      ],
    });
    cfnInstance = this.instance.instance;
    // `cdk deploy` succeeds only once the bootstrap reports nginx, Docker and ShinyProxy
    // answering locally (cfn-signal in assets/host/shinykit-bootstrap.sh). Package installs
    // and the first ShinyProxy start take a few minutes; 30 leaves room for a slow mirror.
    cfnInstance.cfnOptions.creationPolicy = { resourceSignal: { count: 1, timeout: 'PT30M' } };
    // cfn-lint (E1152) expects a literal ami-… id; `resolve:ssm:` is EC2's documented
    // launch-time form (see AL2023_AMI_PARAMETERS), so skip that one check here only.
    cfnInstance.addMetadata('cfn-lint', { config: { ignore_checks: ['E1152'] } });
    // Which apps keep saved data on this instance's disk, for plan's host-replacement warning.
    const storage = hostStorageApps(cfg);
    if (storage.length > 0) cfnInstance.addMetadata(HOST_STORAGE_METADATA_KEY, { apps: storage });
    Validations.of(this.instance).acknowledge(
      {
        id: 'AwsSolutions::AwsSolutions-EC29',
        reason:
          'The host is meant to be replaced (users, images, config and address live in the data stack and Parameter Store; apps[].storage on its disk is lost with it, which plan names before any replacing deploy); termination protection would block replacing it and deleting the host stack.',
      },
      {
        id: 'CloudFormation-Validate::E1152',
        reason:
          'ImageId is "resolve:ssm:<public Amazon Linux 2023 parameter>", which EC2 resolves at launch: synth stays offline and a new AMI release does not replace a running host.',
      },
    );

    new ec2.CfnEIPAssociation(this, 'EipAssociation', {
      allocationId: props.eipAllocationId,
      instanceId: this.instance.instanceId,
    });
  }

  private grantHostPermissions(props: HostProps): void {
    const stack = Stack.of(this);
    const prefix = props.parameterPrefix.replace(/^\/+/, '').replace(/\/+$/, '');
    const parameterArn = (name: string) => stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: name });

    this.role.addToPolicy(
      new iam.PolicyStatement({ sid: 'SsmAgent', actions: [...SSM_AGENT_ACTIONS], resources: ['*'] }),
    );
    grantEcrPull(this.role, props.repositoryArns);
    // The host reads the app client's secret when ShinyProxy starts, so the secret
    // never passes through CloudFormation.
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'DescribeOwnPoolClient',
        actions: ['cognito-idp:DescribeUserPoolClient'],
        resources: [props.userPoolArn],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadOwnParameters',
        actions: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath'],
        // The path itself (for GetParametersByPath) and everything below it.
        resources: [parameterArn(prefix), parameterArn(`${prefix}/*`)],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'WriteOwnStatus',
        actions: ['ssm:PutParameter'],
        resources: [parameterArn(`${prefix}/status/*`)],
      }),
    );
    // The certificate store (assets/host/shinykit-tls.sh): one SecureString the host writes after
    // each issuance and reads at boot (ReadOwnParameters covers the read). It is encrypted with
    // the account's AWS managed key aws/ssm, whose key policy lets any principal of the account
    // that may call SSM use it through SSM, so no kms: statement is needed here. No other role
    // of the kit may read it.
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'WriteOwnCertificateStore',
        actions: ['ssm:PutParameter'],
        resources: [parameterArn(`${prefix}/tls/acme`)],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    const policy = this.role.node.findChild('DefaultPolicy');
    const arnPattern = (name: string) => nagArn(stack, 'ssm', `parameter/${name}`);
    Validations.of(policy).acknowledge(
      {
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason:
          'Only for actions without resource-level permissions: ecr:GetAuthorizationToken and the SSM agent\'s ssm/ssmmessages/ec2messages calls (AmazonSSMManagedInstanceCore minus its account-wide GetParameter).',
      },
      {
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::${arnPattern(`${prefix}/*`)}]`,
        reason: `Read access is limited to this project's own configuration parameters below /${prefix}/, which the apply command writes.`,
      },
      {
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::${arnPattern(`${prefix}/status/*`)}]`,
        reason: `Write access is limited to the host's status parameters below /${prefix}/status/ (last applied config, health).`,
      },
    );
  }
}

