/**
 * The host stack for the bundled shinykit.yaml: network, security group, the
 * instance, its role (least privilege), log group, EIP association and outputs.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ExtraOutputKeys, OutputKeys } from '../../../lib/outputs.js';
import { asArray, configVariant, contractOutputKeys, only, policyStatements, render, resourcesOf, synth, type Synthesized, evaluate } from './synth.js';

let s: Synthesized;
beforeAll(() => {
  s = synth(configVariant());
});

/** Every ingress rule of the host security group (inline or separate resources). */
function ingressRules(template: Record<string, any>): any[] {
  const inline = resourcesOf(template, 'AWS::EC2::SecurityGroup').flatMap(([, sg]) => sg.Properties.SecurityGroupIngress ?? []);
  const separate = resourcesOf(template, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties);
  return [...inline, ...separate];
}

describe('host stack: network', () => {
  it('has a VPC with public subnets only and no NAT gateway', () => {
    s.host.resourceCountIs('AWS::EC2::VPC', 1);
    s.host.resourceCountIs('AWS::EC2::NatGateway', 0);
    for (const [, subnet] of resourcesOf(s.hostJson, 'AWS::EC2::Subnet')) {
      expect(subnet.Properties.MapPublicIpOnLaunch).toBe(true);
    }
    expect(resourcesOf(s.hostJson, 'AWS::EC2::Subnet').length).toBeGreaterThan(0);
  });

  it('strips the rules of the VPC default security group', () => {
    s.host.resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
  });

  it('admits exactly 443 and 80 from anywhere and nothing else without sshCidr', () => {
    const rules = ingressRules(s.hostJson).map((r) => `${r.IpProtocol}:${r.FromPort}-${r.ToPort}:${r.CidrIp ?? r.CidrIpv6 ?? r.SourceSecurityGroupId}`);
    expect(rules.sort()).toEqual(['tcp:443-443:0.0.0.0/0', 'tcp:80-80:0.0.0.0/0']);
  });

  it('has no rule for port 22 and none for the app or ShinyProxy ports (3838, 8050, 8080)', () => {
    for (const r of ingressRules(s.hostJson)) {
      for (const port of [22, 3838, 8050, 8080]) {
        expect(r.FromPort <= port && port <= r.ToPort, `port ${port} open via ${JSON.stringify(r)}`).toBe(false);
      }
      expect(r.IpProtocol).not.toBe('-1');
    }
  });
});

describe('host stack: instance', () => {
  it('runs Amazon Linux 2023 x86_64 from the public SSM parameter, resolved at launch (offline synth)', () => {
    const instance = only(s.hostJson, 'AWS::EC2::Instance');
    expect(instance.Properties.ImageId).toBe('resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64');
    expect(instance.Properties.InstanceType).toBe('t3.small');
  });

  it('requires IMDSv2 with a hop limit of 1 (containers cannot reach the role)', () => {
    expect(only(s.hostJson, 'AWS::EC2::Instance').Properties.MetadataOptions).toEqual({
      HttpEndpoint: 'enabled',
      HttpPutResponseHopLimit: 1,
      HttpTokens: 'required',
    });
  });

  it('has an encrypted gp3 root volume of host.volumeGiB and detailed monitoring', () => {
    const p = only(s.hostJson, 'AWS::EC2::Instance').Properties;
    expect(p.BlockDeviceMappings).toEqual([
      { DeviceName: '/dev/xvda', Ebs: { DeleteOnTermination: true, Encrypted: true, VolumeSize: 30, VolumeType: 'gp3' } },
    ]);
    expect(p.Monitoring).toBe(true);
  });

  it('sits in a public subnet behind the host security group only', () => {
    const p = only(s.hostJson, 'AWS::EC2::Instance').Properties;
    const sg = resourcesOf(s.hostJson, 'AWS::EC2::SecurityGroup')[0]![0];
    expect(p.SecurityGroupIds).toEqual([{ 'Fn::GetAtt': [sg, 'GroupId'] }]);
    expect(render(p.SubnetId)).toMatch(/^<NetworkVpcpublicSubnet/);
  });

  it('associates the data stack Elastic IP with the instance', () => {
    const [instanceId] = resourcesOf(s.hostJson, 'AWS::EC2::Instance')[0]!;
    const assoc = only(s.hostJson, 'AWS::EC2::EIPAssociation').Properties;
    expect(assoc.InstanceId).toEqual({ Ref: instanceId });
    expect(render(assoc.AllocationId)).toMatch(/^<import:analytics-data:ExportsOutputFnGetAttAddressEip.*AllocationId/);
  });

  it('passes site, pool, client, region, prefix, log group, stack and logical id to the user data', () => {
    const [instanceId, instance] = resourcesOf(s.hostJson, 'AWS::EC2::Instance')[0]!;
    const userData = render(instance.Properties.UserData['Fn::Base64']);
    expect(userData.startsWith('#!/bin/bash\n')).toBe(true);
    expect(userData).toMatch(/SHINYKIT_SITE_HOSTNAME='<import:analytics-data:ExportsOutputFnGetAttAddressEip\w+PublicIp\w*>'/);
    expect(userData).toMatch(/<import:analytics-data:ExportsOutputRefIdentityUserPool[0-9A-F]+>/);
    expect(userData).toMatch(/<import:analytics-data:ExportsOutputRefIdentityUserPoolShinyProxyClient/);
    expect(userData).toContain('<AWS::Region>');
    expect(userData).toContain('/shinykit/analytics/');
    expect(userData).toContain('analytics-host');
    expect(userData).toContain(instanceId);
  });
});

describe('host stack: role (least privilege)', () => {
  const stmt = (sid: string) => policyStatements(s.hostJson).find((x) => x.Sid === sid);

  it('attaches no managed policies (the SSM agent permissions are spelled out)', () => {
    const hostRole = resourcesOf(s.hostJson, 'AWS::IAM::Role').find(([id]) => id.startsWith('HostRole'))![1];
    expect(hostRole.Properties.ManagedPolicyArns).toBeUndefined();
    expect(hostRole.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' } },
    ]);
  });

  it('uses "*" only for ecr:GetAuthorizationToken and the SSM agent actions, which have no resource-level permissions', () => {
    const hostPolicies = resourcesOf(s.hostJson, 'AWS::IAM::Policy').filter(([id]) => id.startsWith('HostRole'));
    const wildcard = hostPolicies
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as any[])
      .filter((x) => asArray(x.Resource).includes('*'))
      .flatMap((x) => asArray(x.Action))
      .sort();
    // cloudwatch:PutMetricData (if the CloudWatch agent publishes host metrics) also
    // has no resource-level permissions.
    const allowed = /^(ecr:GetAuthorizationToken|cloudwatch:PutMetricData|ssm:(Describe|Get(Document|Manifest|DeployablePatchSnapshotForInstance)|List|Put(Inventory|ComplianceItems|ConfigurePackageResult)|Update)\w*|ssmmessages:\w+|ec2messages:\w+)$/;
    for (const a of wildcard) expect(a, `${a} on "*"`).toMatch(allowed);
    expect(wildcard).toContain('ecr:GetAuthorizationToken');
    expect(wildcard).not.toContain('ssm:GetParameter');
    expect(wildcard).not.toContain('ssm:GetParameters');
    expect(wildcard.some((a) => a.endsWith('*'))).toBe(false);
  });

  it('pulls only from this kit\'s repositories', () => {
    const pull = stmt('EcrPull');
    expect(asArray(pull.Action).sort()).toEqual(['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer']);
    expect(asArray(pull.Resource).map(render).sort()).toEqual([
      'arn:<AWS::Partition>:ecr:<AWS::Region>:<AWS::AccountId>:repository/analytics/dash-demo',
      'arn:<AWS::Partition>:ecr:<AWS::Region>:<AWS::AccountId>:repository/analytics/shiny-demo',
    ]);
    expect(policyStatements(s.hostJson).filter((x) => asArray(x.Action).some((a: string) => /^ecr:(Put|Upload|Initiate|Complete|Delete)/.test(a)))).toEqual([]);
  });

  it('may describe only its own user pool client (to read the secret at ShinyProxy start)', () => {
    const c = stmt('DescribeOwnPoolClient');
    expect(c.Action).toBe('cognito-idp:DescribeUserPoolClient');
    expect(render(c.Resource)).toMatch(/^<import:analytics-data:ExportsOutputFnGetAttIdentityUserPool\w+Arn\w*>$/);
    const cognitoActions = policyStatements(s.hostJson).flatMap((x) => asArray(x.Action)).filter((a: string) => a.startsWith('cognito-idp:'));
    expect(cognitoActions).toEqual(['cognito-idp:DescribeUserPoolClient']);
  });

  it('reads parameters only below /shinykit/<name>/ and writes only below status/ and the one certificate store parameter tls/acme', () => {
    const read = stmt('ReadOwnParameters');
    expect(asArray(read.Action).sort()).toEqual(['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath']);
    expect(asArray(read.Resource).map(render).sort()).toEqual([
      'arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:parameter/shinykit/analytics',
      'arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:parameter/shinykit/analytics/*',
    ]);
    const write = stmt('WriteOwnStatus');
    expect(write.Action).toBe('ssm:PutParameter');
    expect(render(write.Resource)).toBe('arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:parameter/shinykit/analytics/status/*');
    const store = stmt('WriteOwnCertificateStore');
    expect(store.Action).toBe('ssm:PutParameter');
    expect(render(store.Resource)).toBe('arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:parameter/shinykit/analytics/tls/acme');
    const writers = policyStatements(s.hostJson).filter((x) => asArray(x.Action).some((a: string) => /^ssm:(PutParameter|DeleteParameter|LabelParameterVersion)/.test(a)));
    expect(writers).toHaveLength(2);
  });

  it('writes logs only to its own log group', () => {
    const logs = stmt('WriteOwnLogs');
    const [groupId] = resourcesOf(s.hostJson, 'AWS::Logs::LogGroup')[0]!;
    expect(asArray(logs.Action).sort()).toEqual(['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents']);
    expect(logs.Resource).toEqual({ 'Fn::GetAtt': [groupId, 'Arn'] });
  });

  it('grants no admin-style wildcards (no service:* actions, no iam:PassRole)', () => {
    for (const x of policyStatements(s.hostJson)) {
      for (const a of asArray(x.Action) as string[]) {
        expect(a).not.toMatch(/:\*$|^\*$/);
        expect(a).not.toBe('iam:PassRole');
      }
      expect(x.Effect).toBe('Allow');
    }
  });
});

describe('host stack: log group and outputs', () => {
  it('creates /shinykit/<name>/host/<host stack id> with explicit retention, kept even after a failed create', () => {
    const group = only(s.hostJson, 'AWS::Logs::LogGroup');
    const stackId = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/analytics-host/0c9d8e7f-da77-11e4-872e-1234567890ab';
    expect(evaluate(group.Properties.LogGroupName, { 'AWS::StackId': stackId })).toBe('/shinykit/analytics/host/0c9d8e7f');
    expect(group.Properties.RetentionInDays).toBe(90);
    // Retain, not RetainExceptOnCreate: after a failed first create its logs say why.
    expect(group.DeletionPolicy).toBe('Retain');
    expect(group.UpdateReplacePolicy).toBe('Retain');
  });

  it('emits HostInstanceId, ConfigParameterPrefix and HostLogGroupName only', () => {
    expect(contractOutputKeys(s.hostJson).sort()).toEqual(
      [OutputKeys.HostInstanceId, ExtraOutputKeys.ConfigParameterPrefix, ExtraOutputKeys.HostLogGroupName].sort(),
    );
    const [instanceId] = resourcesOf(s.hostJson, 'AWS::EC2::Instance')[0]!;
    expect(s.hostJson.Outputs.HostInstanceId.Value).toEqual({ Ref: instanceId });
    expect(s.hostJson.Outputs.ConfigParameterPrefix.Value).toBe('/shinykit/analytics/');
    expect(render(s.hostJson.Outputs.HostLogGroupName.Value)).toMatch(/^<HostLogGroup/);
  });

  it('holds no client secret anywhere in the template', () => {
    const text = JSON.stringify(s.hostJson);
    expect(text).not.toMatch(/ClientSecret/i);
    expect(text).not.toMatch(/SecretString|secretsmanager/i);
  });
});
