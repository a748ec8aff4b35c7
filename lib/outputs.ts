/**
 * Stack output keys: the contract between `cdk deploy` and the CLI (DESIGN.md).
 * Stacks emit them, the CLI reads them; both import the names from here so a
 * rename cannot slip through one side only. Do not rename existing keys.
 */
import type { AppConfig, Config } from './config/index.js';

export const OutputKeys = {
  UserPoolId: 'UserPoolId',
  UserPoolClientId: 'UserPoolClientId',
  /** https://<prefix>.auth.<region>.amazoncognito.com */
  CognitoDomainUrl: 'CognitoDomainUrl',
  JwksUrl: 'JwksUrl',
  /** The Cognito /logout URL with client_id and logout_uri (= the client's sign-out URL). */
  LogoutUrl: 'LogoutUrl',
  SiteHostname: 'SiteHostname',
  SiteUrl: 'SiteUrl',
  HostPublicIp: 'HostPublicIp',
  HostInstanceId: 'HostInstanceId',
  Region: 'Region',
} as const;

export type OutputKey = (typeof OutputKeys)[keyof typeof OutputKeys];

/** `shiny-app` → `ShinyApp`: the app id in PascalCase without separators. */
export function appKey(appId: string): string {
  return appId
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}

/** `Repository<AppKey>`: the app's ECR repository URI. */
export function repositoryOutputKey(app: Pick<AppConfig, 'id'> | string): string {
  return `Repository${appKey(typeof app === 'string' ? app : app.id)}`;
}

/** Every output key the CLI may rely on for this config (the ECS keys only with `backend: ecs`). */
export function requiredOutputKeys(cfg: Config): string[] {
  return [
    ...Object.values(OutputKeys),
    ...cfg.apps.map((a) => repositoryOutputKey(a)),
    ...(cfg.backend === 'ecs' ? ecsOutputKeys(cfg) : []),
  ];
}

/**
 * The app's CloudFormation stack names. Stateful resources (address, registry,
 * identity) live apart from the replaceable host so the host can be destroyed and
 * re-created without touching users, images or DNS.
 */
export function stackNames(cfg: Pick<Config, 'name'>): { data: string; host: string } {
  return { data: `${cfg.name}-data`, host: `${cfg.name}-host` };
}

/** Extra outputs beyond DESIGN.md's list (additions only). */
export const ExtraOutputKeys = {
  /** SSM Parameter Store path prefix the host reads its configuration from. */
  ConfigParameterPrefix: 'ConfigParameterPrefix',
  /** CloudWatch Logs group holding the host's bootstrap and apply logs. */
  HostLogGroupName: 'HostLogGroupName',
  /** Data stack, only with exactly one identity provider and cognito.localUsers: false: its name, for `identity_provider=`. */
  LoginIdentityProvider: 'LoginIdentityProvider',
  /** Data stack: the pool's MFA mode as deployed (OFF, OPTIONAL or ON); validate and plan compare the config with it. */
  UserPoolMfa: 'UserPoolMfa',
  // ---- backend: ecs only (host stack) ----
  /** Name of the ECS cluster ShinyProxy runs app tasks in. */
  EcsClusterName: 'EcsClusterName',
  /** The private app subnets, comma-separated (ShinyProxy's proxy.ecs.subnets). */
  EcsSubnetIds: 'EcsSubnetIds',
  /** The app tasks' security group (admits only the host, on the app ports). */
  EcsSecurityGroupId: 'EcsSecurityGroupId',
  /** Role ECS uses to pull the kit's images and write the tasks' logs. */
  EcsExecutionRoleArn: 'EcsExecutionRoleArn',
  /** Prefix of the CloudWatch Logs groups of app tasks (ShinyProxy appends sp-<proxy id>). */
  EcsLogGroupPrefix: 'EcsLogGroupPrefix',
  /** Data stack, backend: ecs with apps[].storage: the EFS file system holding the apps' storage. */
  EcsStorageFileSystemId: 'EcsStorageFileSystemId',
} as const;

/** `EcsStorageAccessPoint<AppKey>`: the id of the app's EFS access point (backend: ecs, apps[].storage). */
export function ecsStorageAccessPointOutputKey(app: Pick<AppConfig, 'id'> | string): string {
  return `EcsStorageAccessPoint${appKey(typeof app === 'string' ? app : app.id)}`;
}

/** `EcsTaskRole<AppKey>`: the ARN of the app's own task role (backend: ecs). */
export function ecsTaskRoleOutputKey(app: Pick<AppConfig, 'id'> | string): string {
  return `EcsTaskRole${appKey(typeof app === 'string' ? app : app.id)}`;
}

/**
 * `/shinykit/<name>/apps/`: the fixed start of the app log groups' prefix. The host
 * stack appends the first group of its StackId UUID (`/shinykit/<name>/apps/<s>/`,
 * output EcsLogGroupPrefix) so a redeployed host stack never collides with the
 * retained groups of an earlier one; ShinyProxy appends `sp-<spec id>` (one group per app).
 */
export function appLogGroupPrefix(cfg: Pick<Config, 'name'>): string {
  return `/shinykit/${cfg.name}/apps/`;
}

/**
 * The tag every ECS task definition and task of this kit carries (ShinyProxy copies
 * each spec's `labels` into RegisterTaskDefinition and RunTask tags). The host role's
 * ECS rights are conditioned on it, so two kits in one account and region cannot
 * run, tag or delete each other's task definitions. The same key the stacks are tagged with.
 */
export const PROJECT_TAG_KEY = 'shinykit:project';

/** The output keys `backend: ecs` adds. */
export function ecsOutputKeys(cfg: Pick<Config, 'apps'>): string[] {
  return [
    ExtraOutputKeys.EcsClusterName,
    ExtraOutputKeys.EcsSubnetIds,
    ExtraOutputKeys.EcsSecurityGroupId,
    ExtraOutputKeys.EcsExecutionRoleArn,
    ExtraOutputKeys.EcsLogGroupPrefix,
    ...cfg.apps.map((a) => ecsTaskRoleOutputKey(a)),
    ...(cfg.apps.some((a) => a.storage) ? [ExtraOutputKeys.EcsStorageFileSystemId] : []),
    ...cfg.apps.filter((a) => a.storage).map((a) => ecsStorageAccessPointOutputKey(a)),
  ];
}

/**
 * Parameter Store prefix for the configuration `apply` delivers (no secrets):
 * `/shinykit/<name>/`. The host role may read only below it.
 */
export function parameterPrefix(cfg: Pick<Config, 'name'>): string {
  return `/shinykit/${cfg.name}/`;
}
