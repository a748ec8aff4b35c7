/**
 * EcsApps (`backend: ecs` only): what ShinyProxy's ECS backend needs to start each
 * app session as a Fargate task — the cluster (after ECS's service-linked role),
 * the app security group, the execution role, one task role per app, one log group
 * per app with the configured retention, and exactly the host rights the backend's
 * API calls require.
 *
 * What ShinyProxy calls (containerproxy 1.2.2 = ShinyProxy 3.2, EcsBackend.java):
 * - start: RegisterTaskDefinition (family `sp-task-definition-<proxy id>`, tags = the
 *   proxy's runtime values plus the spec's `labels`), RunTask (FARGATE, awsvpc, the
 *   same tags, propagateTags), DescribeTasks until RUNNING and for the private IP;
 * - stop: StopTask, DeregisterTaskDefinition and DeleteTaskDefinitions of
 *   `sp-task-definition-<proxy id>:1`, DescribeTasks until stopping;
 * - shutdown (stopProxies): StopTask for every session — tasks do not outlive
 *   ShinyProxy — and TagResource `openanalytics.eu/sp-to-delete=true` on each task
 *   definition (ECS rate limits leave no time to delete them then);
 * - five minutes after start (cleanupTaskDefinitions, once): ListTaskDefinitions
 *   (the whole account), ListTagsForResource on every one, then Deregister and
 *   DeleteTaskDefinitions for those tagged sp-to-delete. No try/catch around those
 *   calls: one refusal ends that run;
 * - sts:GetCallerIdentity at start (needs no permission).
 * Logs: the awslogs driver with `awslogs-create-group: true` into
 * `<cloud-watch-group-prefix>sp-<spec id>` — one group per spec (app), not per
 * session — so the groups are created here, with retention, and ECS only finds them.
 *
 * The family prefix `sp-task-definition-` is fixed in containerproxy and shared by
 * every ShinyProxy in the account and region, so kits are kept apart by the
 * `shinykit:project` tag instead: the spec labels put it on every task definition and
 * task, RegisterTaskDefinition is allowed only with it, and RunTask, the shutdown
 * TagResource and DeleteTaskDefinitions only on definitions carrying this kit's value.
 */
import { ArnFormat, Fn, RemovalPolicy, Stack, Validations, type CfnElement, type CfnResource } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { appPort, type Config } from '../config/index.js';
import { PROJECT_TAG_KEY, appLogGroupPrefix } from '../outputs.js';
import type { EfsStorageRefs } from './efs-storage.js';
import { grantEcrPull, nagArn } from './host.js';
import { stackIdSuffixToken } from '../stack-id.js';

// Defined with the output keys (render's placeholders need it without CDK); still exported here.
export { appLogGroupPrefix };

/** The task definition family prefix ShinyProxy registers (`sp-task-definition-<proxy id>`). */
export const SHINYPROXY_TASK_FAMILY_PREFIX = 'sp-task-definition-';

/**
 * The ECS calls ShinyProxy's ECS backend makes, grouped by how IAM lets us scope them
 * (Service Authorization Reference, Amazon ECS: RegisterTaskDefinition,
 * DeregisterTaskDefinition and ListTaskDefinitions have no resource type, so "*";
 * the rest act on task-definition or task resources).
 */
export const SHINYPROXY_ECS_ACTIONS = {
  /** Resource "*", only with this kit's project tag in the request. */
  register: ['ecs:RegisterTaskDefinition'],
  /** Resource "*", no condition IAM evaluates for them. */
  unscoped: ['ecs:DeregisterTaskDefinition', 'ecs:ListTaskDefinitions'],
  /** ShinyProxy's task definitions carrying this kit's tag, in this cluster. */
  run: ['ecs:RunTask'],
  /** Tasks of this cluster. */
  task: ['ecs:DescribeTasks', 'ecs:StopTask'],
  /** ShinyProxy's task definitions carrying this kit's tag. */
  ownDefinitions: ['ecs:DeleteTaskDefinitions', 'ecs:TagResource'],
  /** Every task definition of the account and region: the cleanup reads each one's tags. */
  readTags: ['ecs:ListTagsForResource'],
} as const;

/** The log group of one app: `<prefix>sp-<app id>` (containerproxy strips characters outside [A-Za-z0-9_.#-] from the spec id; app ids have none). */
export function appLogGroupName(prefix: string, appId: string): string {
  return `${prefix}sp-${appId}`;
}

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
  /** apps[].storage on EFS (lib/constructs/efs-storage.ts): mount targets and the task roles' rights. */
  readonly storage?: EfsStorageRefs;
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
  /** App id → its log group (`<logGroupPrefix>sp-<app id>`). */
  readonly logGroups: ReadonlyMap<string, logs.LogGroup>;
  /** Makes sure ECS's service-linked role exists before the cluster is created. */
  readonly serviceLinkedRole: cr.AwsCustomResource;
  /** Only with app storage: the EFS mount targets' security group (NFS from the app tasks only). */
  readonly storageSecurityGroup?: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: EcsAppsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const cfg = props.config;
    // Per host stack (its StackId's first UUID group): the groups are retained, and a
    // later host stack must not collide with them.
    this.logGroupPrefix = Fn.join('', [appLogGroupPrefix(cfg), stackIdSuffixToken(), '/']);
    this.subnetIds = props.vpc.selectSubnets(props.subnets).subnetIds;

    this.serviceLinkedRole = this.ensureEcsServiceLinkedRole();
    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: props.vpc,
      // cdk-nag ECS4; CPU/memory per task is what a team sizing apps needs to see.
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    this.cluster.node.addDependency(this.serviceLinkedRole);

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

    const logGroups = new Map<string, logs.LogGroup>();
    for (const app of cfg.apps) {
      logGroups.set(
        app.id,
        new logs.LogGroup(this, `AppLogs${app.id}`, {
          logGroupName: Fn.join('', [this.logGroupPrefix, `sp-${app.id}`]),
          retention: props.logRetentionDays as logs.RetentionDays,
          // Kept when the app or the host stack goes (the names are per stack, so a
          // redeploy does not collide), dropped with a failed first create.
          removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
        }),
      );
    }
    this.logGroups = logGroups;
    // CreateLogGroup is authorized on log-group:<name>, writes on its streams (<name>:log-stream:*).
    const logArns = [...logGroups.values()].flatMap((g) => [
      stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: g.logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
      stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: `${g.logGroupName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
    ]);

    this.executionRole = new iam.Role(this, 'ExecutionRole', {
      assumedBy: ecsTasks(),
      description: `shinykit ${cfg.name}: ECS pulls the kit's images and writes app logs`,
    });
    grantEcrPull(this.executionRole, props.repositoryArns);
    this.executionRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'AppLogs',
        // CreateLogGroup: ShinyProxy always sets awslogs-create-group, and ECS calls it
        // even when the group exists; only on the app groups this stack created.
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: logArns,
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
    if (props.storage) this.storageSecurityGroup = this.connectStorage(props, props.storage);

    this.hostPolicy = this.grantShinyProxy(props.hostRole, cfg);

    this.acknowledge();
  }

  /**
   * The storage file system reachable from the app tasks: a mount target in each app subnet
   * (one per availability zone, as EFS requires), NFS (2049) admitted from the app tasks'
   * security group only, and each app's task role allowed to mount and write through its own
   * access point only (ECS mounts with the task role when `enable-iam` is set).
   */
  private connectStorage(props: EcsAppsProps, storage: EfsStorageRefs): ec2.SecurityGroup {
    const sg = new ec2.SecurityGroup(this, 'StorageSecurityGroup', {
      vpc: props.vpc,
      description: 'shinykit app storage (EFS): NFS from the app tasks only',
      allowAllOutbound: false,
    });
    sg.addIngressRule(this.securityGroup, ec2.Port.tcp(2049), 'NFS from the app tasks');
    props.vpc.selectSubnets(props.subnets).subnetIds.forEach((subnetId, i) => {
      new efs.CfnMountTarget(this, `StorageMountTarget${i + 1}`, { fileSystemId: storage.fileSystemId, subnetId, securityGroups: [sg.securityGroupId] });
    });
    for (const [appId, accessPointArn] of storage.accessPointArns) {
      this.taskRoles.get(appId)!.addToPolicy(
        new iam.PolicyStatement({
          sid: 'OwnStorage',
          actions: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
          resources: [storage.fileSystemArn],
          conditions: { StringEquals: { 'elasticfilesystem:AccessPointArn': accessPointArn } },
        }),
      );
    }
    return sg;
  }

  /** Exactly the calls ShinyProxy's ECS backend makes, scoped as far as IAM allows. */
  private grantShinyProxy(hostRole: iam.IRole, cfg: Config): iam.Policy {
    const stack = Stack.of(this);
    const clusterArn = this.cluster.clusterArn;
    const ownTag = { [`aws:ResourceTag/${PROJECT_TAG_KEY}`]: cfg.name };
    const taskDefinitions = stack.formatArn({ service: 'ecs', resource: 'task-definition', resourceName: `${SHINYPROXY_TASK_FAMILY_PREFIX}*:*` });
    const anyTaskDefinition = stack.formatArn({ service: 'ecs', resource: 'task-definition', resourceName: '*' });
    const tasks = stack.formatArn({ service: 'ecs', resource: 'task', resourceName: `${this.cluster.clusterName}/*` });
    const a = SHINYPROXY_ECS_ACTIONS;
    return new iam.Policy(this, 'ShinyProxyEcsPolicy', {
      roles: [hostRole],
      statements: [
        new iam.PolicyStatement({
          sid: 'RegisterOwnTaskDefinitions',
          actions: [...a.register],
          resources: ['*'],
          // The spec labels carry the tag: a definition without this kit's tag is refused.
          conditions: { StringEquals: { [`aws:RequestTag/${PROJECT_TAG_KEY}`]: cfg.name } },
        }),
        new iam.PolicyStatement({ sid: 'DeregisterAndListTaskDefinitions', actions: [...a.unscoped], resources: ['*'] }),
        new iam.PolicyStatement({
          sid: 'RunOwnTasksInCluster',
          actions: [...a.run],
          resources: [taskDefinitions],
          conditions: { ArnEquals: { 'ecs:cluster': clusterArn }, StringEquals: ownTag },
        }),
        new iam.PolicyStatement({
          sid: 'WatchAndStopTasks',
          actions: [...a.task],
          resources: [tasks],
          conditions: { ArnEquals: { 'ecs:cluster': clusterArn } },
        }),
        new iam.PolicyStatement({
          sid: 'DeleteAndMarkOwnTaskDefinitions',
          // Delete at session end and in the cleanup; TagResource for the shutdown's sp-to-delete mark.
          actions: [...a.ownDefinitions],
          resources: [taskDefinitions],
          conditions: { StringEquals: ownTag },
        }),
        new iam.PolicyStatement({
          sid: 'TagOnCreate',
          // RegisterTaskDefinition and RunTask with tags also need TagResource, at creation only.
          actions: ['ecs:TagResource'],
          resources: [taskDefinitions, tasks],
          conditions: { StringEquals: { 'ecs:CreateAction': ['RegisterTaskDefinition', 'RunTask'] } },
        }),
        new iam.PolicyStatement({
          sid: 'ReadTaskDefinitionTags',
          // The cleanup reads the tags of every task definition ListTaskDefinitions returns,
          // other kits' too, and stops at the first refusal: read-only, tags only.
          actions: [...a.readTags],
          resources: [anyTaskDefinition],
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
   * The account's first ECS cluster can fail with "Unable to assume the service linked
   * role. Please verify that the ECS service linked role exists"
   * (aws-cloudformation/cloudformation-coverage-roadmap#818, closed without a fix; the
   * retry succeeds because the failed attempt created the role). Creating
   * AWSServiceRoleForECS first makes the first attempt succeed. Not
   * `AWS::IAM::ServiceLinkedRole`: it fails when the role exists, as it does in most
   * accounts. IAM answers an existing role with InvalidInput ("Service role name
   * AWSServiceRoleForECS has been taken in this account"), which is ignored. Nothing on
   * delete: other clusters in the account use the role.
   */
  private ensureEcsServiceLinkedRole(): cr.AwsCustomResource {
    const stack = Stack.of(this);
    const call: cr.AwsSdkCall = {
      service: 'IAM',
      action: 'createServiceLinkedRole',
      parameters: { AWSServiceName: 'ecs.amazonaws.com' },
      physicalResourceId: cr.PhysicalResourceId.of('AWSServiceRoleForECS'),
      ignoreErrorCodesMatching: 'InvalidInput',
    };
    return new cr.AwsCustomResource(this, 'EcsServiceLinkedRole', {
      onCreate: call,
      installLatestAwsSdk: false,
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({
          actions: ['iam:CreateServiceLinkedRole'],
          resources: [
            stack.formatArn({
              service: 'iam',
              region: '',
              resource: 'role',
              resourceName: 'aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS',
            }),
          ],
          conditions: { StringEquals: { 'iam:AWSServiceName': 'ecs.amazonaws.com' } },
        }),
      ]),
    });
  }

  private acknowledge(): void {
    const stack = Stack.of(this);
    const arn = (service: string, rest: string) => nagArn(stack, service, rest);
    const clusterRef = `<${stack.getLogicalId(this.cluster.node.defaultChild as CfnElement)}>`;
    Validations.of(this.hostPolicy).acknowledge(
      {
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason: 'ecs:RegisterTaskDefinition (only with this kit\'s shinykit:project tag), ecs:DeregisterTaskDefinition and ecs:ListTaskDefinitions: IAM offers no resource-level permission for them.',
      },
      {
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::${arn('ecs', `task-definition/${SHINYPROXY_TASK_FAMILY_PREFIX}*:*`)}]`,
        reason: `ShinyProxy's own task definition families (${SHINYPROXY_TASK_FAMILY_PREFIX}<proxy id>, one per session), further limited to this kit's shinykit:project tag (RunTask also to this cluster; TagResource otherwise only at creation).`,
      },
      {
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::${arn('ecs', 'task-definition/*')}]`,
        reason: 'ecs:ListTagsForResource only: ShinyProxy\'s cleanup reads the tags of every task definition in the account to find its sp-to-delete marks.',
      },
      {
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::${arn('ecs', `task/${clusterRef}/*`)}]`,
        reason: 'Tasks of this cluster only (task ids are random): ShinyProxy watches the tasks it started until RUNNING and stops them when a session ends.',
      },
    );
    Validations.of(this.executionRole.node.findChild('DefaultPolicy')).acknowledge(
      { id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]', reason: 'ecr:GetAuthorizationToken only: registry tokens are account-wide and the action has no resource-level permissions.' },
      ...[...this.logGroups.values()].map((g) => ({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::${arn('logs', `log-group:<${stack.getLogicalId(g.node.defaultChild as CfnElement)}>:*`)}]`,
        reason: 'The log streams of one app log group (ECS names each stream after the task id).',
      })),
    );
    // AwsCustomResource's provider function is a stack-wide singleton with CDK's basic execution role.
    const provider = stack.node.tryFindChild(cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '').replace(/^/, 'AWS'));
    if (provider) {
      Validations.of(provider).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'CDK\'s AwsCustomResource provider (ensures the ECS service-linked role exists): the managed policy only lets it write its own logs.',
      });
      // CDK makes the function depend on its role although `Role: !GetAtt` already
      // orders them (the DependsOn is for the role's policy); cfn-lint W3005 flags the duplicate, harmless.
      (provider.node.defaultChild as CfnResource).addMetadata('cfn-lint', { config: { ignore_checks: ['W3005'] } });
    }
  }
}
