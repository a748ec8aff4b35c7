/**
 * Resources by stack: what each is (in words, with its name where the template
 * gives one), type counts with logical ids (for `--json` and CloudFormation's
 * console), and what survives stack deletion.
 */
import { resourcesOf, type CfnResource, type CfnTemplate } from './template.js';

export interface StackResources {
  readonly stack: string;
  readonly total: number;
  /** Sorted by type name. */
  readonly byType: ReadonlyArray<{
    readonly type: string;
    /** What it is, in words: `ECR repository`. */
    readonly label: string;
    readonly count: number;
    readonly logicalIds: readonly string[];
    /** The names the template gives them (repository names, group names, ...), where it does. */
    readonly names: readonly string[];
  }>;
  /** Logical ids with DeletionPolicy Retain/RetainExceptOnCreate: left behind by `cdk destroy`. */
  readonly retained: ReadonlyArray<{ readonly logicalId: string; readonly type: string; readonly label: string; readonly name?: string }>;
}

/** Type → words, and the property holding a human-given name. Unlisted types get their type name. */
const KINDS: Readonly<Record<string, { label: string; name?: string }>> = {
  'AWS::Cognito::UserPool': { label: 'Cognito user pool (the login directory)', name: 'UserPoolName' },
  'AWS::Cognito::UserPoolClient': { label: 'Cognito app client (ShinyProxy signs users in with it)', name: 'ClientName' },
  'AWS::Cognito::UserPoolDomain': { label: 'Cognito login domain (prefix)', name: 'Domain' },
  'AWS::Cognito::UserPoolGroup': { label: 'Cognito group', name: 'GroupName' },
  'AWS::Cognito::UserPoolIdentityProvider': { label: 'federated identity provider', name: 'ProviderName' },
  'AWS::Cognito::UserPoolRiskConfigurationAttachment': { label: 'Cognito threat protection settings' },
  'AWS::EC2::EIP': { label: 'Elastic IP address (the site\'s fixed public address)' },
  'AWS::EC2::EIPAssociation': { label: 'Elastic IP attachment to the host' },
  'AWS::ECR::Repository': { label: 'ECR image repository', name: 'RepositoryName' },
  'AWS::EC2::Instance': { label: 'EC2 host', name: 'InstanceType' },
  'AWS::EC2::VPC': { label: 'VPC (private network)', name: 'CidrBlock' },
  'AWS::EC2::Subnet': { label: 'subnet', name: 'CidrBlock' },
  'AWS::EC2::InternetGateway': { label: 'internet gateway' },
  'AWS::EC2::VPCGatewayAttachment': { label: 'internet gateway attachment' },
  'AWS::EC2::RouteTable': { label: 'route table' },
  'AWS::EC2::Route': { label: 'route', name: 'DestinationCidrBlock' },
  'AWS::EC2::SubnetRouteTableAssociation': { label: 'route table association' },
  'AWS::EC2::SecurityGroup': { label: 'security group (firewall)' },
  'AWS::EC2::SecurityGroupIngress': { label: 'firewall rule' },
  'AWS::EC2::NatGateway': { label: 'NAT gateway' },
  'AWS::EC2::VPCEndpoint': { label: 'VPC endpoint', name: 'ServiceName' },
  'AWS::IAM::Role': { label: 'IAM role', name: 'Description' },
  'AWS::IAM::Policy': { label: 'IAM policy (permissions of a role)' },
  'AWS::IAM::InstanceProfile': { label: 'instance profile (gives the host its role)' },
  'AWS::Lambda::Function': { label: 'Lambda function', name: 'Description' },
  'AWS::Logs::LogGroup': { label: 'CloudWatch log group', name: 'LogGroupName' },
  'AWS::Route53::RecordSet': { label: 'DNS record', name: 'Name' },
  'AWS::SSM::Parameter': { label: 'SSM parameter', name: 'Name' },
  'AWS::ECS::Cluster': { label: 'ECS cluster' },
  'AWS::ECS::TaskDefinition': { label: 'ECS task definition', name: 'Family' },
  'Custom::VpcRestrictDefaultSG': { label: 'custom resource: empties the VPC\'s default security group' },
};

export function resourceLabel(type: string): string {
  return KINDS[type]?.label ?? type.replace(/^AWS::/, '').replace(/::/g, ' ');
}

/** The resource's own name, when the template states one as a plain string. */
export function resourceName(r: CfnResource): string | undefined {
  const key = KINDS[r.Type]?.name;
  const value = key ? r.Properties?.[key] : undefined;
  return typeof value === 'string' ? value : undefined;
}

export function summarizeResources(stack: string, template: CfnTemplate): StackResources {
  const groups = new Map<string, Array<[string, CfnResource]>>();
  const retained: Array<StackResources['retained'][number]> = [];
  for (const [id, r] of resourcesOf(template)) {
    groups.set(r.Type, [...(groups.get(r.Type) ?? []), [id, r]]);
    if (r.DeletionPolicy?.startsWith('Retain')) retained.push({ logicalId: id, type: r.Type, label: resourceLabel(r.Type), name: resourceName(r) });
  }
  const byType = [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([type, items]) => ({
      type,
      label: resourceLabel(type),
      count: items.length,
      logicalIds: items.map(([id]) => id),
      names: items.map(([, r]) => resourceName(r)).filter((n): n is string => n !== undefined),
    }));
  return { stack, total: resourcesOf(template).length, byType, retained };
}
