/**
 * `backend: ecs` in the host stack: private app subnets in two AZs with their
 * egress (one NAT gateway, or VPC endpoints), the ECS cluster, the app security
 * group, the execution and task roles, the host's ECS rights (exactly what
 * ShinyProxy's ECS backend calls, scoped by cluster and project tag), one log group
 * per app with retention (no sweeper), the service-linked role and the outputs
 * render reads. And the docker mode has none of it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { SHINYPROXY_ECS_ACTIONS } from '../../../lib/constructs/ecs-apps.js';
import { ExtraOutputKeys, ecsOutputKeys, ecsTaskRoleOutputKey, requiredOutputKeys } from '../../../lib/outputs.js';
import { asArray, configVariant, contractOutputKeys, evaluate, only, policyStatements, render, resourcesOf, synth, type Synthesized } from './synth.js';

const STACK_ID = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/analytics-host/5e1b2c3d-da77-11e4-872e-1234567890ab';

let docker: Synthesized;
let nat: Synthesized;
let endpoints: Synthesized;
beforeAll(() => {
  docker = synth(configVariant());
  nat = synth(configVariant((raw) => { raw.backend = 'ecs'; }));
  endpoints = synth(configVariant((raw) => {
    raw.backend = 'ecs';
    raw.ecs = { egress: 'endpoints', logRetentionDays: 90, architecture: 'arm64' };
  }));
});

const subnets = (s: Synthesized) => resourcesOf(s.hostJson, 'AWS::EC2::Subnet');
const appSubnets = (s: Synthesized) => subnets(s).filter(([id]) => id.includes('appsSubnet'));
const statementsWith = (s: Synthesized, action: string) =>
  policyStatements(s.hostJson).filter((st) => asArray(st.Action).includes(action));
/** Policies attached to a role, by the role's logical id. */
const policiesOf = (s: Synthesized, roleId: string) =>
  resourcesOf(s.hostJson, 'AWS::IAM::Policy').filter(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === roleId));
const roleId = (s: Synthesized, prefix: string) => resourcesOf(s.hostJson, 'AWS::IAM::Role').find(([id]) => id.startsWith(prefix))![0];

describe('docker mode (the default) is unchanged', () => {
  it('has no ECS cluster, task roles, private subnets, NAT gateway, endpoints or ECS outputs', () => {
    docker.host.resourceCountIs('AWS::ECS::Cluster', 0);
    docker.host.resourceCountIs('AWS::EC2::NatGateway', 0);
    docker.host.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    docker.host.resourceCountIs('AWS::Lambda::Function', 1); // only CDK's default-SG custom resource
    expect(appSubnets(docker)).toEqual([]);
    expect(subnets(docker)).toHaveLength(2);
    for (const key of ecsOutputKeys(docker.config)) expect(contractOutputKeys(docker.hostJson)).not.toContain(key);
    expect(statementsWith(docker, 'iam:PassRole')).toEqual([]);
    expect(policyStatements(docker.hostJson).flatMap((st) => asArray(st.Action)).filter((a: string) => a.startsWith('ecs:'))).toEqual([]);
  });

  it('requires no ECS outputs from the CLI', () => {
    expect(requiredOutputKeys(docker.config).filter((k) => k.startsWith('Ecs'))).toEqual([]);
  });
});

describe('ecs mode: network', () => {
  it('adds one private app subnet in each of two AZs, keeping the public subnets first (same CIDRs as docker mode)', () => {
    const apps = appSubnets(nat);
    expect(apps).toHaveLength(2);
    const azs = apps.map(([, s]) => JSON.stringify(s.Properties.AvailabilityZone));
    expect(new Set(azs).size).toBe(2);
    for (const [, s] of apps) expect(s.Properties.MapPublicIpOnLaunch).toBe(false);
    const cidrs = (s: Synthesized) => subnets(s).filter(([id]) => id.includes('publicSubnet')).map(([id, sub]) => `${id}=${sub.Properties.CidrBlock}`);
    expect(cidrs(nat)).toEqual(cidrs(docker));
  });

  it('with egress nat (the default): exactly one NAT gateway, app subnets route to it, plus the free S3 gateway endpoint', () => {
    nat.host.resourceCountIs('AWS::EC2::NatGateway', 1);
    const routes = resourcesOf(nat.hostJson, 'AWS::EC2::Route').filter(([id]) => id.includes('appsSubnet'));
    expect(routes).toHaveLength(2);
    for (const [, r] of routes) expect(r.Properties.NatGatewayId).toBeDefined();
    const s3 = only(nat.hostJson, 'AWS::EC2::VPCEndpoint');
    expect(s3.Properties.VpcEndpointType ?? 'Gateway').toBe('Gateway');
    expect(render(s3.Properties.ServiceName)).toMatch(/\.s3$/);
  });

  it('with egress endpoints: no NAT gateway, interface endpoints for ecr.api, ecr.dkr and logs, the S3 gateway, HTTPS from the VPC only', () => {
    endpoints.host.resourceCountIs('AWS::EC2::NatGateway', 0);
    const eps = resourcesOf(endpoints.hostJson, 'AWS::EC2::VPCEndpoint').map(([, e]) => e.Properties);
    // com.amazonaws.<region>.<service>
    const names = eps.map((e) => render(e.ServiceName).replace(/^com\.amazonaws\.<AWS::Region>\./, ''));
    expect(names.sort()).toEqual(['ecr.api', 'ecr.dkr', 'logs', 's3']);
    const interfaces = eps.filter((e) => e.VpcEndpointType === 'Interface');
    expect(interfaces).toHaveLength(3);
    for (const e of interfaces) expect(e.PrivateDnsEnabled).toBe(true);
    const sg = resourcesOf(endpoints.hostJson, 'AWS::EC2::SecurityGroup').find(([id]) => id.includes('EndpointSecurityGroup'))![1];
    expect(sg.Properties.SecurityGroupIngress).toEqual([
      expect.objectContaining({ CidrIp: '10.42.0.0/16', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' }),
    ]);
    for (const [, s] of appSubnets(endpoints)) expect(s.Properties.MapPublicIpOnLaunch).toBe(false);
    expect(resourcesOf(endpoints.hostJson, 'AWS::EC2::Route').filter(([id]) => id.includes('appsSubnet'))).toEqual([]);
  });
});

describe('ecs mode: cluster and app security group', () => {
  it('creates one cluster with Container Insights enabled', () => {
    expect(only(nat.hostJson, 'AWS::ECS::Cluster').Properties.ClusterSettings).toEqual([{ Name: 'containerInsights', Value: 'enabled' }]);
  });

  it('admits only the host security group, only on the app ports (3838, 8050), and nothing from any CIDR', () => {
    const [sgId, sg] = resourcesOf(nat.hostJson, 'AWS::EC2::SecurityGroup').find(([id]) => id.includes('AppSecurityGroup'))!;
    expect(sg.Properties.SecurityGroupIngress ?? []).toEqual([]);
    const hostSg = resourcesOf(nat.hostJson, 'AWS::EC2::SecurityGroup').find(([id]) => id.includes('HostSecurityGroup'))![0];
    const rules = resourcesOf(nat.hostJson, 'AWS::EC2::SecurityGroupIngress')
      .map(([, r]) => r.Properties)
      .filter((r) => r.GroupId['Fn::GetAtt'][0] === sgId);
    expect(rules.map((r) => `${r.IpProtocol}:${r.FromPort}-${r.ToPort}`).sort()).toEqual(['tcp:3838-3838', 'tcp:8050-8050']);
    for (const r of rules) {
      expect(r.SourceSecurityGroupId).toEqual({ 'Fn::GetAtt': [hostSg, 'GroupId'] });
      expect(r.CidrIp).toBeUndefined();
    }
  });

  it('leaves the host security group as in docker mode (443 and 80 only)', () => {
    const hostSg = (s: Synthesized) => resourcesOf(s.hostJson, 'AWS::EC2::SecurityGroup').find(([id]) => id.includes('HostSecurityGroup'))![1];
    expect(hostSg(nat).Properties.SecurityGroupIngress).toEqual(hostSg(docker).Properties.SecurityGroupIngress);
  });
});

describe('ecs mode: roles', () => {
  it('trusts only ecs-tasks.amazonaws.com for this account in the execution and task roles', () => {
    for (const prefix of ['EcsAppsExecutionRole', 'EcsAppsTaskRoleshinydemo', 'EcsAppsTaskRoledashdemo']) {
      const role = nat.hostJson.Resources[roleId(nat, prefix)];
      const [st] = role.Properties.AssumeRolePolicyDocument.Statement;
      expect(st.Principal).toEqual({ Service: 'ecs-tasks.amazonaws.com' });
      expect(st.Condition.StringEquals).toEqual({ 'aws:SourceAccount': { Ref: 'AWS::AccountId' } });
    }
  });

  it('lets the execution role pull only the kit repositories and write only below the app log prefix', () => {
    const statements = policiesOf(nat, roleId(nat, 'EcsAppsExecutionRole')).flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    const byAction = (a: string) => statements.filter((s: any) => asArray(s.Action).includes(a));
    expect(byAction('ecr:GetAuthorizationToken')[0].Resource).toBe('*');
    expect(asArray(byAction('ecr:BatchGetImage')[0].Resource).map(render).sort()).toEqual([
      'arn:<AWS::Partition>:ecr:<AWS::Region>:<AWS::AccountId>:repository/analytics/dash-demo',
      'arn:<AWS::Partition>:ecr:<AWS::Region>:<AWS::AccountId>:repository/analytics/shiny-demo',
    ]);
    const logs = byAction('logs:CreateLogGroup')[0];
    expect(asArray(logs.Action).sort()).toEqual(['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents']);
    // Exactly the two app groups (the group, and its streams), no prefix wildcard.
    const groups = resourcesOf(nat.hostJson, 'AWS::Logs::LogGroup').filter(([id]) => id.startsWith('EcsAppsAppLogs')).map(([id]) => id);
    const base = 'arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:';
    expect(asArray(logs.Resource).map(render).sort()).toEqual(groups.flatMap((id) => [`${base}<${id}>`, `${base}<${id}>:*`]).sort());
    expect(statements.flatMap((s: any) => asArray(s.Action)).filter((a: string) => !a.startsWith('ecr:') && !a.startsWith('logs:'))).toEqual([]);
  });

  it('gives each app its own task role with no policy at all (none of the host rights)', () => {
    for (const app of ['shinydemo', 'dashdemo']) {
      const id = roleId(nat, `EcsAppsTaskRole${app}`);
      expect(policiesOf(nat, id)).toEqual([]);
      expect(nat.hostJson.Resources[id].Properties.ManagedPolicyArns).toBeUndefined();
    }
  });
});

describe('ecs mode: the host role gains exactly what ShinyProxy ECS backend calls', () => {
  const hostStatements = () => policiesOf(nat, roleId(nat, 'HostRole')).flatMap(([, p]) => p.Properties.PolicyDocument.Statement);

  it('adds only the ECS actions ShinyProxy calls, TagResource and iam:PassRole', () => {
    const ecsActions = hostStatements().flatMap((s: any) => asArray(s.Action)).filter((a: string) => a.startsWith('ecs:') || a.startsWith('iam:'));
    // The calls containerproxy 1.2.2's EcsBackend makes (lib/constructs/ecs-apps.ts lists where).
    expect(new Set(ecsActions)).toEqual(new Set([
      'ecs:RegisterTaskDefinition', 'ecs:RunTask', 'ecs:DescribeTasks', 'ecs:StopTask', 'ecs:DeregisterTaskDefinition',
      'ecs:DeleteTaskDefinitions', 'ecs:TagResource', 'ecs:ListTaskDefinitions', 'ecs:ListTagsForResource', 'iam:PassRole',
    ]));
    expect([...new Set(ecsActions)].sort()).toEqual(
      [...new Set([...Object.values(SHINYPROXY_ECS_ACTIONS).flat(), 'iam:PassRole'])].sort(),
    );
  });

  it('allows on * only the three actions without resource-level permissions, and RegisterTaskDefinition only with the kit tag', () => {
    const star = hostStatements().filter((s: any) => s.Resource === '*' && asArray(s.Action).some((a: string) => a.startsWith('ecs:')));
    expect(star.flatMap((s: any) => asArray(s.Action)).sort()).toEqual(['ecs:DeregisterTaskDefinition', 'ecs:ListTaskDefinitions', 'ecs:RegisterTaskDefinition']);
    const [register] = statementsWith(nat, 'ecs:RegisterTaskDefinition');
    expect(asArray(register.Action)).toEqual(['ecs:RegisterTaskDefinition']);
    expect(register.Condition).toEqual({ StringEquals: { 'aws:RequestTag/shinykit:project': 'analytics' } });
  });

  it('scopes RunTask to ShinyProxy task definitions tagged with this kit, in this cluster', () => {
    const [st] = statementsWith(nat, 'ecs:RunTask');
    expect(render(st.Resource)).toBe('arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task-definition/sp-task-definition-*:*');
    expect(st.Condition).toEqual({
      ArnEquals: { 'ecs:cluster': { 'Fn::GetAtt': [expect.stringMatching(/^EcsAppsCluster/), 'Arn'] } },
      StringEquals: { 'aws:ResourceTag/shinykit:project': 'analytics' },
    });
  });

  it('lets ShinyProxy delete and mark (sp-to-delete) only task definitions tagged with this kit', () => {
    const st = statementsWith(nat, 'ecs:DeleteTaskDefinitions');
    expect(st).toHaveLength(1);
    expect(asArray(st[0].Action).sort()).toEqual(['ecs:DeleteTaskDefinitions', 'ecs:TagResource']);
    expect(render(st[0].Resource)).toBe('arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task-definition/sp-task-definition-*:*');
    expect(st[0].Condition).toEqual({ StringEquals: { 'aws:ResourceTag/shinykit:project': 'analytics' } });
  });

  it('lets the cleanup read the tags of any task definition (it lists the whole account), and nothing else there', () => {
    const [st] = statementsWith(nat, 'ecs:ListTagsForResource');
    expect(asArray(st.Action)).toEqual(['ecs:ListTagsForResource']);
    expect(render(st.Resource)).toBe('arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task-definition/*');
  });

  it('scopes DescribeTasks and StopTask to tasks of this cluster', () => {
    const [st] = statementsWith(nat, 'ecs:StopTask');
    expect(asArray(st.Action).sort()).toEqual(['ecs:DescribeTasks', 'ecs:StopTask']);
    expect(render(st.Resource)).toMatch(/^arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task\/<EcsAppsCluster\w+>\/\*$/);
    expect(st.Condition.ArnEquals['ecs:cluster']['Fn::GetAtt'][0]).toMatch(/^EcsAppsCluster/);
  });

  it('allows tagging new resources only when creating them (ecs:CreateAction RegisterTaskDefinition or RunTask)', () => {
    const st = statementsWith(nat, 'ecs:TagResource').filter((x: any) => x.Condition.StringEquals['ecs:CreateAction']);
    expect(st).toHaveLength(1);
    expect(st[0].Condition).toEqual({ StringEquals: { 'ecs:CreateAction': ['RegisterTaskDefinition', 'RunTask'] } });
  });

  it('passes only the execution role and the app task roles, and only to ECS tasks', () => {
    const [st] = statementsWith(nat, 'iam:PassRole');
    expect(asArray(st.Resource).map(render).sort()).toEqual(
      [roleId(nat, 'EcsAppsExecutionRole'), roleId(nat, 'EcsAppsTaskRoledashdemo'), roleId(nat, 'EcsAppsTaskRoleshinydemo')].map((id) => `<${id}.Arn>`).sort(),
    );
    expect(st.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
  });
});

describe('ecs mode: app logs', () => {
  const appGroups = (x: Synthesized) => resourcesOf(x.hostJson, 'AWS::Logs::LogGroup').filter(([id]) => id.startsWith('EcsAppsAppLogs'));

  it('creates one log group per app, <prefix><host stack id>/sp-<app id> (containerproxy names them by spec id), with the configured retention', () => {
    const names = appGroups(nat).map(([, g]) => evaluate(g.Properties.LogGroupName, { 'AWS::StackId': STACK_ID })).sort();
    expect(names).toEqual(['/shinykit/analytics/apps/5e1b2c3d/sp-dash-demo', '/shinykit/analytics/apps/5e1b2c3d/sp-shiny-demo']);
    expect(appGroups(nat).map(([, g]) => g.Properties.RetentionInDays)).toEqual([30, 30]);
    expect(appGroups(endpoints).map(([, g]) => g.Properties.RetentionInDays)).toEqual([90, 90]);
  });

  it('keeps the app logs on update and delete but not after a failed first create (RetainExceptOnCreate)', () => {
    for (const [, g] of appGroups(nat)) {
      expect(g.DeletionPolicy).toBe('RetainExceptOnCreate');
      expect(g.UpdateReplacePolicy).toBe('Retain');
    }
  });

  it('has no retention sweeper: no function but the CDK ones, no schedule, no DescribeLogGroups, no PutRetentionPolicy', () => {
    nat.host.resourceCountIs('AWS::Events::Rule', 0);
    const fns = resourcesOf(nat.hostJson, 'AWS::Lambda::Function').map(([id]) => id);
    expect(fns.filter((id) => !id.startsWith('CustomVpcRestrictDefaultSG') && !id.startsWith('AWS'))).toEqual([]);
    const actions = policyStatements(nat.hostJson).flatMap((st) => asArray(st.Action));
    expect(actions).not.toContain('logs:DescribeLogGroups');
    expect(actions).not.toContain('logs:PutRetentionPolicy');
  });
});

describe('ecs mode: the ECS service-linked role exists before the cluster', () => {
  const slr = () => resourcesOf(nat.hostJson, 'Custom::AWS').find(([id]) => id.startsWith('EcsAppsEcsServiceLinkedRole'))!;

  it('calls iam:CreateServiceLinkedRole for ecs.amazonaws.com on create, ignoring "has been taken" (InvalidInput), nothing on delete', () => {
    const [, res] = slr();
    const create = JSON.parse(render(res.Properties.Create));
    expect(create).toMatchObject({
      service: 'IAM',
      action: 'createServiceLinkedRole',
      parameters: { AWSServiceName: 'ecs.amazonaws.com' },
      ignoreErrorCodesMatching: 'InvalidInput',
    });
    expect(res.Properties.Delete).toBeUndefined();
    expect(res.Properties.Update).toBeUndefined();
  });

  it('makes the cluster depend on it', () => {
    const [id] = slr();
    const cluster = only(nat.hostJson, 'AWS::ECS::Cluster');
    expect(asArray(cluster.DependsOn)).toContain(id);
  });

  it('lets the custom resource create only the ECS service-linked role', () => {
    const statements = resourcesOf(nat.hostJson, 'AWS::IAM::Policy')
      .filter(([id]) => id.startsWith('EcsAppsEcsServiceLinkedRole'))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    expect(statements).toHaveLength(1);
    expect(statements[0].Action).toBe('iam:CreateServiceLinkedRole');
    expect(render(statements[0].Resource)).toBe('arn:<AWS::Partition>:iam::<AWS::AccountId>:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS');
    expect(statements[0].Condition).toEqual({ StringEquals: { 'iam:AWSServiceName': 'ecs.amazonaws.com' } });
  });
});

describe('ecs mode: outputs', () => {
  it('emits every ECS output key the CLI requires in ecs mode', () => {
    const keys = contractOutputKeys(nat.hostJson);
    for (const key of ecsOutputKeys(nat.config)) expect(keys).toContain(key);
    expect(requiredOutputKeys(nat.config)).toEqual(expect.arrayContaining(ecsOutputKeys(nat.config)));
  });

  it('outputs the cluster, both app subnets, the app security group, the roles and the log prefix', () => {
    const out = (k: string) => nat.hostJson.Outputs[k].Value;
    expect(render(out(ExtraOutputKeys.EcsClusterName))).toMatch(/^<EcsAppsCluster\w+>$/);
    expect(render(out(ExtraOutputKeys.EcsSubnetIds))).toMatch(/^<NetworkVpcappsSubnet1Subnet\w+>,<NetworkVpcappsSubnet2Subnet\w+>$/);
    expect(render(out(ExtraOutputKeys.EcsSecurityGroupId))).toMatch(/^<EcsAppsAppSecurityGroup\w+\.GroupId>$/);
    expect(render(out(ExtraOutputKeys.EcsExecutionRoleArn))).toMatch(/^<EcsAppsExecutionRole\w+\.Arn>$/);
    expect(evaluate(out(ExtraOutputKeys.EcsLogGroupPrefix), { 'AWS::StackId': STACK_ID })).toBe('/shinykit/analytics/apps/5e1b2c3d/');
    expect(render(out(ecsTaskRoleOutputKey('shiny-demo')))).toMatch(/^<EcsAppsTaskRoleshinydemo\w+\.Arn>$/);
    expect(render(out(ecsTaskRoleOutputKey('dash-demo')))).toMatch(/^<EcsAppsTaskRoledashdemo\w+\.Arn>$/);
  });

  it('keeps the host instance as in docker mode, so switching does not replace it', () => {
    const instance = (s: Synthesized) => resourcesOf(s.hostJson, 'AWS::EC2::Instance');
    expect(instance(nat)).toEqual(instance(docker));
  });

  it('keeps the data stack identical to docker mode', () => {
    expect(nat.dataJson).toEqual(docker.dataJson);
  });
});
