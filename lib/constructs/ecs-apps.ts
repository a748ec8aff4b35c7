/**
 * EcsApps (`backend: ecs` only): what ShinyProxy's ECS backend needs to start each
 * app session as a Fargate task — the cluster, the app security group, the
 * execution role, one task role per app, the tasks' log groups (with retention)
 * and exactly the host rights the backend's API calls require.
 *
 * What ShinyProxy calls (containerproxy's EcsBackend, 3.1/3.2): RegisterTaskDefinition
 * (family `sp-task-definition-<proxy id>`, with tags, task and execution role ARNs
 * from the spec), RunTask (FARGATE, awsvpc, tags, propagateTags), DescribeTasks
 * (until RUNNING, then for the task's private IP), StopTask and DeleteTaskDefinitions
 * when a session ends. With CloudWatch enabled the task logs to the awslogs driver
 * with `awslogs-create-group: true` into `<prefix>sp-<proxy id>`: one log group per
 * session, created by ECS with the execution role, and without retention — hence
 * the small retention sweeper below.
 */
import { ArnFormat, Duration, RemovalPolicy, Stack, Validations, type CfnElement, type CfnResource } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { appPort, type Config } from '../config.js';
import { appLogGroupPrefix } from '../outputs.js';
import { grantEcrPull, nagArn } from './host.js';

// Defined with the output keys (render's placeholders need it without CDK); still exported here.
export { appLogGroupPrefix };

/** The task definition family prefix ShinyProxy registers (`sp-task-definition-<proxy id>`). */
export const SHINYPROXY_TASK_FAMILY_PREFIX = 'sp-task-definition-';

/** The ECS calls ShinyProxy's ECS backend makes, by the resource IAM lets us scope them to. */
export const SHINYPROXY_ECS_ACTIONS = {
  /** No resource-level permissions (IAM service authorization reference for ECS). */
  unscoped: ['ecs:RegisterTaskDefinition'],
  /** On ShinyProxy's task definition families, in this cluster only. */
  taskDefinition: ['ecs:RunTask'],
  /** On tasks of this cluster. */
  task: ['ecs:DescribeTasks', 'ecs:StopTask'],
  /** On ShinyProxy's task definition families. */
  cleanup: ['ecs:DeleteTaskDefinitions'],
} as const;

export interface EcsAppsProps {
  readonly config: Config;
  readonly vpc: ec2.IVpc;
  /** The private subnets the tasks run in. */
  readonly subnets: ec2.SubnetSelection;
  /** The ShinyProxy host's security group: the only source admitted to the apps. */
  readonly hostSecurityGroup: ec2.ISecurityGroup;
  /** The host's role, which gains the ECS and iam:PassRole rights ShinyProxy needs. */
  readonly hostRole: iam.IRole;
  /** ARNs of this kit's ECR repositories: the only ones tasks may pull from. */
  readonly repositoryArns: readonly string[];
  /** How long app logs are kept (days). */
  readonly logRetentionDays: number;
}

export class EcsApps extends Construct {
  readonly cluster: ecs.Cluster;
  readonly securityGroup: ec2.SecurityGroup;
  readonly executionRole: iam.Role;
  /** App id → the app's task role (no policies: the app gets no AWS rights by default). */
  readonly taskRoles: ReadonlyMap<string, iam.Role>;
  readonly logGroupPrefix: string;
  readonly subnetIds: string[];
  /** The policy on the host role with ShinyProxy's ECS rights. */
  readonly hostPolicy: iam.Policy;
  /** Applies the configured retention to the per-session log groups. */
  readonly retentionSweeper: lambda.Function;

  constructor(scope: Construct, id: string, props: EcsAppsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const cfg = props.config;
    this.logGroupPrefix = appLogGroupPrefix(cfg);
    this.subnetIds = props.vpc.selectSubnets(props.subnets).subnetIds;

    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: props.vpc,
      // cdk-nag ECS4; CPU/memory per task is what a team sizing apps needs to see.
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });

    this.securityGroup = new ec2.SecurityGroup(this, 'AppSecurityGroup', {
      vpc: props.vpc,
      description: 'shinykit app tasks: only the ShinyProxy host, only on the app ports',
      // Tasks pull images and write logs (and, with NAT egress, may call out like containers on the host).
      allowAllOutbound: true,
    });
    for (const port of [...new Set(cfg.apps.map(appPort))].sort((a, b) => a - b)) {
      const apps = cfg.apps.filter((a) => appPort(a) === port).map((a) => a.id).join(', ');
      this.securityGroup.addIngressRule(props.hostSecurityGroup, ec2.Port.tcp(port), `ShinyProxy host to ${apps}`);
    }

    const ecsTasks = () => new iam.ServicePrincipal('ecs-tasks.amazonaws.com', {
      // Confused-deputy guard: only ECS acting for this account may assume the roles.
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'ecs', resource: '*' }) },
      },
    });

    const logGroupArn = stack.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: `${this.logGroupPrefix}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });

    this.executionRole = new iam.Role(this, 'ExecutionRole', {
      assumedBy: ecsTasks(),
      description: `shinykit ${cfg.name}: ECS pulls the kit's images and writes app logs`,
    });
    grantEcrPull(this.executionRole, props.repositoryArns);
    this.executionRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'AppLogs',
        // CreateLogGroup: ShinyProxy sets awslogs-create-group, one group per session.
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroupArn],
      }),
    );

    const taskRoles = new Map<string, iam.Role>();
    for (const app of cfg.apps) {
      taskRoles.set(
        app.id,
        new iam.Role(this, `TaskRole${app.id}`, {
          assumedBy: ecsTasks(),
          description: `shinykit ${cfg.name}: app ${app.id} (no AWS rights unless you add them)`,
        }),
      );
    }
    this.taskRoles = taskRoles;

    this.hostPolicy = this.grantShinyProxy(props.hostRole, cfg);
    this.retentionSweeper = this.addRetentionSweeper(props.logRetentionDays, logGroupArn);

    this.acknowledge();
  }

  /** Exactly the calls ShinyProxy's ECS backend makes, scoped as far as IAM allows. */
  private grantShinyProxy(hostRole: iam.IRole, cfg: Config): iam.Policy {
    const stack = Stack.of(this);
    const clusterArn = this.cluster.clusterArn;
    const taskDefinitions = stack.formatArn({ service: 'ecs', resource: 'task-definition', resourceName: `${SHINYPROXY_TASK_FAMILY_PREFIX}*:*` });
    const tasks = stack.formatArn({ service: 'ecs', resource: 'task', resourceName: `${this.cluster.clusterName}/*` });
    const a = SHINYPROXY_ECS_ACTIONS;
    return new iam.Policy(this, 'ShinyProxyEcsPolicy', {
      roles: [hostRole],
      statements: [
        new iam.PolicyStatement({ sid: 'RegisterTaskDefinitions', actions: [...a.unscoped], resources: ['*'] }),
        new iam.PolicyStatement({
          sid: 'RunTasksInCluster',
          actions: [...a.taskDefinition],
          resources: [taskDefinitions],
          conditions: { ArnEquals: { 'ecs:cluster': clusterArn } },
        }),
        new iam.PolicyStatement({
          sid: 'WatchAndStopTasks',
          actions: [...a.task],
          resources: [tasks],
          conditions: { ArnEquals: { 'ecs:cluster': clusterArn } },
        }),
        new iam.PolicyStatement({ sid: 'DeleteOwnTaskDefinitions', actions: [...a.cleanup], resources: [taskDefinitions] }),
        new iam.PolicyStatement({
          sid: 'TagOnCreate',
          // ShinyProxy tags the task definition and the task it creates; only at creation.
          actions: ['ecs:TagResource'],
          resources: [taskDefinitions, tasks],
          conditions: { StringEquals: { 'ecs:CreateAction': ['RegisterTaskDefinition', 'RunTask'] } },
        }),
        new iam.PolicyStatement({
          sid: 'PassAppRoles',
          actions: ['iam:PassRole'],
          resources: [this.executionRole.roleArn, ...cfg.apps.map((app) => this.taskRoles.get(app.id)!.roleArn)],
          conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
        }),
      ],
    });
  }

  /**
   * ECS creates one log group per session without retention (awslogs-create-group);
   * CloudWatch Logs has no per-prefix default. A small function applies the configured
   * retention to every group below the prefix that lacks it, hourly.
   */
  private addRetentionSweeper(days: number, logGroupArn: string): lambda.Function {
    const stack = Stack.of(this);
    const ownLogs = new logs.LogGroup(this, 'RetentionSweeperLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(this, 'RetentionSweeperRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'shinykit: sets retention on the app task log groups',
    });
    role.addToPolicy(new iam.PolicyStatement({ sid: 'OwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [ownLogs.logGroupArn] }));
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ListAppLogGroups',
        actions: ['logs:DescribeLogGroups'],
        // DescribeLogGroups is authorized on the account's log-group:* resource, not per group.
        resources: [stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
      }),
    );
    role.addToPolicy(new iam.PolicyStatement({ sid: 'SetAppLogRetention', actions: ['logs:PutRetentionPolicy'], resources: [logGroupArn] }));

    const sweeper = new lambda.Function(this, 'RetentionSweeper', {
      // The newest Node.js runtime (cdk-nag L1); its bundled AWS SDK v3 is all the code needs.
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(RETENTION_SWEEPER_SOURCE),
      role,
      logGroup: ownLogs,
      timeout: Duration.minutes(2),
      memorySize: 128,
      description: `Sets ${days}-day retention on log groups below ${this.logGroupPrefix}`,
      environment: { PREFIX: this.logGroupPrefix, DAYS: String(days) },
    });
    // CDK makes the function depend on its role although `Role: !GetAtt` already
    // orders them (the DependsOn is needed for the role's policy); cfn-lint W3005
    // flags the duplicate, harmless here.
    (sweeper.node.defaultChild as CfnResource).addMetadata('cfn-lint', { config: { ignore_checks: ['W3005'] } });
    new events.Rule(this, 'RetentionSweeperSchedule', {
      schedule: events.Schedule.rate(Duration.hours(1)),
      targets: [new targets.LambdaFunction(sweeper)],
      description: 'Hourly: retention for new app task log groups',
    });
    return sweeper;
  }

  private acknowledge(): void {
    const stack = Stack.of(this);
    const arn = (service: string, rest: string) => nagArn(stack, service, rest);
    const logReason = `Log groups below ${this.logGroupPrefix} only: ShinyProxy names one per session (sp-<proxy id>), so the names are not known at deploy time.`;

    const clusterRef = `<${stack.getLogicalId(this.cluster.node.defaultChild as CfnElement)}>`;
    Validations.of(this.hostPolicy).acknowledge(
      {
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason: 'ecs:RegisterTaskDefinition only: IAM offers no resource-level permission for it, and ShinyProxy registers one task definition per app session.',
      },
      {
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::${arn('ecs', `task-definition/${SHINYPROXY_TASK_FAMILY_PREFIX}*:*`)}]`,
        reason: `ShinyProxy's own task definition families (${SHINYPROXY_TASK_FAMILY_PREFIX}<proxy id>, one per session); RunTask is further limited to this cluster by the ecs:cluster condition.`,
      },
      {
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::${arn('ecs', `task/${clusterRef}/*`)}]`,
        reason: 'Tasks of this cluster only (task ids are random): ShinyProxy watches the tasks it started until RUNNING and stops them when a session ends.',
      },
    );
    Validations.of(this.executionRole.node.findChild('DefaultPolicy')).acknowledge(
      { id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]', reason: 'ecr:GetAuthorizationToken only: registry tokens are account-wide and the action has no resource-level permissions.' },
      { id: `AwsSolutions::AwsSolutions-IAM5[Resource::${arn('logs', `log-group:${this.logGroupPrefix}*`)}]`, reason: logReason },
    );
    Validations.of(this.node.findChild('RetentionSweeperRole').node.findChild('DefaultPolicy')).acknowledge(
      { id: `AwsSolutions::AwsSolutions-IAM5[Resource::${arn('logs', 'log-group:*')}]`, reason: 'logs:DescribeLogGroups only, which IAM authorizes on log-group:* (the function filters by the app prefix); PutRetentionPolicy is limited to the prefix.' },
      { id: `AwsSolutions::AwsSolutions-IAM5[Resource::${arn('logs', `log-group:${this.logGroupPrefix}*`)}]`, reason: logReason },
    );
  }
}

/** Applies retention to log groups below PREFIX that have none (or a different one). CommonJS: inline code is index.js. */
export const RETENTION_SWEEPER_SOURCE = `const { CloudWatchLogsClient, PutRetentionPolicyCommand, paginateDescribeLogGroups } = require('@aws-sdk/client-cloudwatch-logs');
const logs = new CloudWatchLogsClient({});
exports.handler = async () => {
  const prefix = process.env.PREFIX;
  const days = Number(process.env.DAYS);
  let changed = 0;
  for await (const page of paginateDescribeLogGroups({ client: logs }, { logGroupNamePrefix: prefix })) {
    for (const group of page.logGroups ?? []) {
      if (group.retentionInDays !== days) {
        await logs.send(new PutRetentionPolicyCommand({ logGroupName: group.logGroupName, retentionInDays: days }));
        changed += 1;
      }
    }
  }
  return { changed };
};
`;
