/**
 * `backend: ecs`: the parts of application.yml that differ from the Docker
 * backend — the `proxy.ecs` block and the ECS fields of each spec — and the
 * checks on the stack outputs they are built from.
 *
 * Keys as containerproxy reads them (eu.openanalytics.containerproxy.backend.ecs):
 * - EcsBackend reads `proxy.ecs.name` (the cluster), `region`, `subnets`,
 *   `security-groups`, `service-wait-time` (ms), and for logs
 *   `enable-cloudwatch`, `cloud-watch-group-prefix`, `cloud-watch-region`,
 *   `cloud-watch-stream-prefix`. It refuses to start when a spec has a memory or
 *   CPU *limit*, or lacks a `container-memory-request`/`container-cpu-request`
 *   (passed to RegisterTaskDefinition as the task's memory (MiB) and cpu (units)).
 * - EcsSpecExtension: per-spec `ecs-task-role`, `ecs-execution-role`,
 *   `ecs-cpu-architecture`, `ecs-operation-system-family` (Spring's kebab-case of
 *   ecsTaskRole, ecsExecutionRole, ecsCpuArchitecture, ecsOperationSystemFamily).
 */
import { appArchitecture, fargateSize, type AppConfig, type Config } from '../config/index.js';
import { ExtraOutputKeys, OutputKeys, PROJECT_TAG_KEY, appLogGroupPrefix, ecsStorageAccessPointOutputKey, ecsTaskRoleOutputKey } from '../outputs.js';

/** The checked output values the ECS parts are built from. */
export interface EcsValues {
  readonly region: string;
  readonly cluster: string;
  readonly subnets: readonly string[];
  readonly securityGroup: string;
  readonly executionRoleArn: string;
  readonly logGroupPrefix: string;
  /** App id → task role ARN. */
  readonly taskRoleArns: Readonly<Record<string, string>>;
  /** With apps[].storage: the EFS file system and, by app id, each app's access point. */
  readonly storage?: { readonly fileSystemId: string; readonly accessPoints: Readonly<Record<string, string>> };
}

/**
 * Fargate pulls the image for every task (no cache between tasks), and R images
 * are large: give a task 5 minutes to reach RUNNING instead of ShinyProxy's 3.
 */
export const ECS_SERVICE_WAIT_MS = 300_000;

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const CLUSTER = /^[A-Za-z0-9_-]{1,255}$/;
const SUBNET = /^subnet-[0-9a-f]{8,17}$/;
const SECURITY_GROUP = /^sg-[0-9a-f]{8,17}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const EFS_FILE_SYSTEM = /^fs-[0-9a-f]{8,40}$/;
const EFS_ACCESS_POINT = /^fsap-[0-9a-f]{8,40}$/;
const LOG_PREFIX = /^\/[A-Za-z0-9_./-]{1,400}\/$/;

/** Checks the ECS outputs (all problems into `problems`); undefined unless `backend: ecs`. */
export function checkEcsOutputs(cfg: Config, outputs: Readonly<Record<string, string>>, problems: string[]): EcsValues | undefined {
  if (cfg.backend !== 'ecs') return undefined;
  const value = (key: string, pattern: RegExp, what: string): string => {
    const v = outputs[key];
    if (v === undefined || v === '') {
      problems.push(`output ${key} is missing (backend: ecs needs it; deploy the stacks with backend: ecs first)`);
      return '';
    }
    if (!pattern.test(v)) problems.push(`output ${key} should be ${what}, but it is ${JSON.stringify(v)}`);
    return v;
  };
  const subnetList = value(ExtraOutputKeys.EcsSubnetIds, /^[^\s]+$/, 'comma-separated subnet ids');
  const subnets = subnetList ? subnetList.split(',') : [];
  for (const s of subnets) {
    if (!SUBNET.test(s)) problems.push(`output ${ExtraOutputKeys.EcsSubnetIds} should list subnet ids (subnet-…), but it has ${JSON.stringify(s)}`);
  }
  const taskRoleArns: Record<string, string> = {};
  for (const app of cfg.apps) {
    taskRoleArns[app.id] = value(ecsTaskRoleOutputKey(app), ROLE_ARN, 'an IAM role ARN');
  }
  const storageApps = cfg.apps.filter((a) => a.storage);
  const storage =
    storageApps.length === 0
      ? undefined
      : {
          fileSystemId: value(ExtraOutputKeys.EcsStorageFileSystemId, EFS_FILE_SYSTEM, 'an EFS file system id (fs-…)'),
          accessPoints: Object.fromEntries(storageApps.map((a) => [a.id, value(ecsStorageAccessPointOutputKey(a), EFS_ACCESS_POINT, 'an EFS access point id (fsap-…)')])),
        };
  return {
    ...(storage ? { storage } : {}),
    region: value(OutputKeys.Region, REGION, 'an AWS region such as eu-west-1'),
    cluster: value(ExtraOutputKeys.EcsClusterName, CLUSTER, 'an ECS cluster name'),
    subnets,
    securityGroup: value(ExtraOutputKeys.EcsSecurityGroupId, SECURITY_GROUP, 'a security group id (sg-…)'),
    executionRoleArn: value(ExtraOutputKeys.EcsExecutionRoleArn, ROLE_ARN, 'an IAM role ARN'),
    logGroupPrefix: value(ExtraOutputKeys.EcsLogGroupPrefix, LOG_PREFIX, 'a log group prefix such as /shinykit/analytics/apps/'),
    taskRoleArns,
  };
}

/** `proxy.ecs`: where and how ShinyProxy starts tasks, and where their logs go. */
export function ecsProxyBlock(ecs: EcsValues): Record<string, unknown> {
  return {
    name: ecs.cluster,
    region: ecs.region,
    subnets: [...ecs.subnets],
    'security-groups': [ecs.securityGroup],
    'service-wait-time': ECS_SERVICE_WAIT_MS,
    // containerproxy 3.1/3.2 read "enable-cloudwatch" while the documentation says
    // "enable-cloud-watch" (containerproxy issue #92, to be unified); set both.
    'enable-cloudwatch': true,
    'enable-cloud-watch': true,
    // ShinyProxy appends "sp-<spec id>": one group per app, created with its retention by the host stack.
    'cloud-watch-group-prefix': ecs.logGroupPrefix,
    'cloud-watch-region': ecs.region,
    'cloud-watch-stream-prefix': 'app',
  };
}

/** The ECS fields of one spec: the Fargate size as requests (never limits), the roles, the platform. */
export function ecsSpecFields(cfg: Config, app: AppConfig, ecs: EcsValues): Record<string, unknown> {
  const size = fargateSize(app);
  if (!size) throw new Error(`app ${app.id}: no Fargate size (the config check should have caught this)`);
  return {
    // RegisterTaskDefinition's task cpu (units) and memory (MiB), as strings like the API takes them.
    'container-cpu-request': String(size.cpu),
    'container-memory-request': String(size.memory),
    'ecs-task-role': ecs.taskRoleArns[app.id],
    'ecs-execution-role': ecs.executionRoleArn,
    // RuntimePlatform: must match the platform `push` built the image for.
    'ecs-cpu-architecture': appArchitecture(cfg) === 'arm64' ? 'ARM64' : 'X86_64',
    'ecs-operation-system-family': 'LINUX',
    // Copied into the task definition's and the task's tags; the host role may only
    // register, run, mark and delete task definitions carrying this kit's value.
    labels: { [PROJECT_TAG_KEY]: cfg.name },
  };
}

/** Comments for the non-obvious ECS keys, by path (see shinyproxy.ts KEY_COMMENTS). */
export const ECS_KEY_COMMENTS: ReadonlyArray<readonly [readonly string[], string]> = [
  [['proxy', 'ecs', 'name'], ' The ECS cluster (containerproxy reads the cluster from proxy.ecs.name).'],
  [['proxy', 'ecs', 'enable-cloudwatch'], ' Spelling read by ShinyProxy 3.1/3.2; enable-cloud-watch is the documented one.'],
  [['proxy', 'ecs', 'cloud-watch-group-prefix'], ' ShinyProxy logs each app to <prefix>sp-<spec id>; the host stack creates those groups with their retention.'],
];

/** Stand-in ECS outputs (documentation values) for `plan` previews. */
export function placeholderEcsOutputs(cfg: Config): Record<string, string> {
  if (cfg.backend !== 'ecs') return {};
  const out: Record<string, string> = {
    [ExtraOutputKeys.EcsClusterName]: `${cfg.name}-host-EcsAppsCluster-EXAMPLE`,
    [ExtraOutputKeys.EcsSubnetIds]: 'subnet-0123456789abcdef0,subnet-0fedcba9876543210',
    [ExtraOutputKeys.EcsSecurityGroupId]: 'sg-0123456789abcdef0',
    [ExtraOutputKeys.EcsExecutionRoleArn]: 'arn:aws:iam::123456789012:role/example-execution-role',
    [ExtraOutputKeys.EcsLogGroupPrefix]: appLogGroupPrefix(cfg),
  };
  for (const app of cfg.apps) out[ecsTaskRoleOutputKey(app)] = `arn:aws:iam::123456789012:role/example-task-role-${app.id}`;
  if (cfg.apps.some((a) => a.storage)) out[ExtraOutputKeys.EcsStorageFileSystemId] = 'fs-0123456789abcdef0';
  cfg.apps.forEach((app, i) => {
    if (app.storage) out[ecsStorageAccessPointOutputKey(app)] = `fsap-0123456789abcde${i.toString(16).padStart(2, '0')}`;
  });
  return out;
}
