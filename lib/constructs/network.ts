/**
 * Network: a small VPC with public subnets only and the host's security group.
 *
 * The host is the only thing in the VPC and talks to AWS APIs over the internet
 * gateway, so private subnets and NAT gateways (about $32/month each) buy nothing.
 */
import { CfnResource, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';

export interface NetworkProps {
  /**
   * The one IPv4 CIDR allowed to reach port 22. Absent (the default): no rule for
   * port 22 at all; operators use SSM Session Manager instead.
   */
  readonly sshCidr?: string;
  /** Availability zones to spread the public subnets over. @default 2 */
  readonly maxAzs?: number;
  /**
   * With `backend: ecs`: private subnets (one per AZ) for the app tasks and their
   * egress to ECR, S3 and CloudWatch Logs — one NAT gateway (`nat`) or VPC endpoints
   * (`endpoints`). Absent (docker): public subnets only, no NAT.
   */
  readonly appSubnets?: {
    readonly egress: 'nat' | 'endpoints';
    /**
     * Services the tasks' secrets come from (apps[].secrets): with `endpoints` egress each needs
     * its own interface endpoint, or ECS cannot fetch them and the task never starts. @default none
     */
    readonly secretServices?: ReadonlyArray<'ssm' | 'secretsmanager'>;
  };
}

/** The VPC's address range (literal, so security group rules can name it). */
export const VPC_CIDR = '10.42.0.0/16';

/** Name of the private subnet group the ECS app tasks run in. */
export const APP_SUBNET_GROUP = 'apps';

export class Network extends Construct {
  readonly vpc: ec2.Vpc;
  /** The host's security group: 443 and 80 from anywhere, 22 only from `sshCidr`. */
  readonly hostSecurityGroup: ec2.SecurityGroup;
  /** Only with `appSubnets`: the private subnets of the app tasks. */
  readonly appSubnetSelection?: ec2.SubnetSelection;

  constructor(scope: Construct, id: string, props: NetworkProps = {}) {
    super(scope, id);

    const egress = props.appSubnets?.egress;
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(VPC_CIDR),
      maxAzs: props.maxAzs ?? 2,
      natGateways: egress === 'nat' ? 1 : 0,
      // The public group stays first so its subnets keep their CIDRs and logical ids
      // when a deployment switches to ecs (the host is not replaced).
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        ...(egress === undefined
          ? []
          : [{
              name: APP_SUBNET_GROUP,
              subnetType: egress === 'nat' ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED,
              cidrMask: 24,
            }]),
      ],
      // The default security group allows all traffic between its members; nothing
      // should use it, so strip its rules (done by a small CDK custom resource).
      restrictDefaultSecurityGroup: true,
    });

    dropRedundantProviderDependency(this);
    if (egress !== undefined) {
      this.appSubnetSelection = { subnetGroupName: APP_SUBNET_GROUP };
      this.addAppEgress(egress, this.appSubnetSelection, props.appSubnets?.secretServices ?? []);
    }

    this.hostSecurityGroup = new ec2.SecurityGroup(this, 'HostSecurityGroup', {
      vpc: this.vpc,
      description: 'shinykit host: HTTPS and HTTP (redirect, ACME) from anywhere; SSH only from the configured CIDR',
      // Egress stays open: the host pulls images, packages and certificates.
      allowAllOutbound: true,
    });
    this.hostSecurityGroup.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS (nginx in front of ShinyProxy)');
    this.hostSecurityGroup.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(80), 'HTTP: redirect to HTTPS and ACME challenges');
    if (props.sshCidr !== undefined) {
      this.hostSecurityGroup.addIngressRule(ec2.Peer.ipv4(props.sshCidr), ec2.Port.tcp(22), 'SSH from the configured CIDR only');
    }

    Validations.of(this.vpc).acknowledge({
      id: 'AwsSolutions::AwsSolutions-VPC7',
      reason:
        'The VPC holds one public web host whose only inbound ports are 80/443 (and 22 from one CIDR); nginx access logs record its traffic, and flow logs would add CloudWatch ingestion cost for internet background noise.',
    });
    Validations.of(this.hostSecurityGroup).acknowledge({
      id: 'AwsSolutions::AwsSolutions-EC23',
      reason:
        'The host is a public website: 443 and 80 (HTTPS redirect and Let\'s Encrypt HTTP-01 challenges) must be open to 0.0.0.0/0; every other port, including 22 unless host.sshCidr is set, is closed.',
    });
  }

  /**
   * Fargate (platform 1.4) pulls through the task's own network: ECR's API and
   * registry endpoints, S3 for the image layers, CloudWatch Logs for awslogs.
   * The S3 gateway endpoint is free, so layers never pass the NAT gateway either.
   */
  private addAppEgress(egress: 'nat' | 'endpoints', subnets: ec2.SubnetSelection, secretServices: ReadonlyArray<'ssm' | 'secretsmanager'>): void {
    this.vpc.addGatewayEndpoint('S3Endpoint', { service: ec2.GatewayVpcEndpointAwsService.S3, subnets: [subnets] });
    if (egress === 'endpoints') {
      const endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
        vpc: this.vpc,
        description: 'shinykit VPC endpoints (ECR, CloudWatch Logs): HTTPS from inside the VPC only',
        allowAllOutbound: false,
      });
      endpointSecurityGroup.addIngressRule(ec2.Peer.ipv4(VPC_CIDR), ec2.Port.tcp(443), 'HTTPS from the VPC (app tasks)');
      for (const [id, service] of [
        ['EcrApiEndpoint', ec2.InterfaceVpcEndpointAwsService.ECR],
        ['EcrDockerEndpoint', ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER],
        ['LogsEndpoint', ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS],
        // apps[].secrets: the ECS agent fetches them from inside the task's subnet at start.
        ...(secretServices.includes('ssm') ? [['SsmEndpoint', ec2.InterfaceVpcEndpointAwsService.SSM] as const] : []),
        ...(secretServices.includes('secretsmanager') ? [['SecretsManagerEndpoint', ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER] as const] : []),
      ] as const) {
        this.vpc.addInterfaceEndpoint(id, { service, subnets, privateDnsEnabled: true, open: false, securityGroups: [endpointSecurityGroup] });
      }
    }
  }
}

/**
 * CDK's provider for the default-security-group custom resource declares
 * `DependsOn: Role` on its Lambda although the Lambda's `Role: !GetAtt` already
 * orders them; cfn-lint rightly warns (W3005). Drop the duplicate.
 */
function dropRedundantProviderDependency(scope: Construct): void {
  const provider = Stack.of(scope).node.tryFindChild('Custom::VpcRestrictDefaultSGCustomResourceProvider');
  const handler = provider?.node.tryFindChild('Handler');
  const role = provider?.node.tryFindChild('Role');
  if (handler instanceof CfnResource && role instanceof CfnResource) handler.removeResourceDependency(role);
}
