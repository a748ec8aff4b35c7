/**
 * `<name>-host`: the replaceable part — the network, the instance, its role and its
 * log group. Deleting this stack loses no users, images or address; with `backend: docker`
 * it does lose the apps' storage, which is on the instance's disk (plan and the README say so).
 */
import { CfnOutput, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ecsSettings, repositoryName, type Config } from '../config/index.js';
import { ExtraOutputKeys, OutputKeys, ecsTaskRoleOutputKey, parameterPrefix } from '../outputs.js';
import { EcsApps } from '../constructs/ecs-apps.js';
import type { EfsStorageRefs } from '../constructs/efs-storage.js';
import { Host } from '../constructs/host.js';
import { Network } from '../constructs/network.js';
import { repositoryArn } from '../constructs/registry.js';
import { siteHostname } from '../site.js';
import { stackIdSuffixToken } from '../stack-id.js';

export interface HostStackProps extends StackProps {
  readonly config: Config;
  /** From the data stack (cross-stack references). */
  readonly eipPublicIp: string;
  readonly eipAllocationId: string;
  readonly userPoolId: string;
  readonly userPoolArn: string;
  readonly userPoolClientId: string;
  /** The data stack's Cognito hosted-UI URL: apply's login check expects ShinyProxy to redirect there. */
  readonly cognitoDomainUrl: string;
  /** backend: ecs with apps[].storage: the data stack's EFS file system and access points. */
  readonly storage?: EfsStorageRefs;
}

/**
 * `/shinykit/<name>/host/`: the start of the host's CloudWatch Logs group name. The
 * stack appends the first group of its StackId UUID (`/shinykit/<name>/host/<s>`):
 * the group is retained, even after a failed create, and the next host stack must not
 * collide with it. The HostLogGroupName output holds the full name.
 */
export function hostLogGroupName(cfg: Pick<Config, 'name'>): string {
  return `/shinykit/${cfg.name}/host/`;
}

export class HostStack extends Stack {
  readonly network: Network;
  readonly host: Host;
  /** Only with `backend: ecs`: the cluster, app roles and security group for Fargate tasks. */
  readonly ecsApps?: EcsApps;

  constructor(scope: Construct, id: string, props: HostStackProps) {
    super(scope, id, props);
    const cfg = props.config;

    const ecs = cfg.backend === 'ecs' ? ecsSettings(cfg) : undefined;
    // Built from names, not imported: adding or removing an app then never
    // fights an export the other stack still uses.
    const repositoryArns = cfg.apps.map((app) => repositoryArn(this, repositoryName(cfg, app)));
    this.network = new Network(this, 'Network', {
      sshCidr: cfg.host.sshCidr,
      appSubnets: ecs ? { egress: ecs.egress } : undefined,
    });
    this.host = new Host(this, 'Host', {
      config: cfg,
      vpc: this.network.vpc,
      securityGroup: this.network.hostSecurityGroup,
      eipAllocationId: props.eipAllocationId,
      siteHostname: siteHostname(cfg, props.eipPublicIp),
      userPoolId: props.userPoolId,
      userPoolArn: props.userPoolArn,
      userPoolClientId: props.userPoolClientId,
      cognitoDomainUrl: props.cognitoDomainUrl,
      repositoryArns,
      parameterPrefix: parameterPrefix(cfg),
      logGroupName: Fn.join('', [hostLogGroupName(cfg), stackIdSuffixToken()]),
    });

    new CfnOutput(this, OutputKeys.HostInstanceId, { value: this.host.instance.instanceId, description: 'EC2 instance id of the host (SSM target)' });
    new CfnOutput(this, ExtraOutputKeys.ConfigParameterPrefix, { value: parameterPrefix(cfg), description: 'Parameter Store prefix the host reads its configuration from' });
    new CfnOutput(this, ExtraOutputKeys.HostLogGroupName, { value: this.host.logGroup.logGroupName, description: 'CloudWatch Logs group of the host' });

    if (ecs) {
      const apps = new EcsApps(this, 'EcsApps', {
        config: cfg,
        vpc: this.network.vpc,
        subnets: this.network.appSubnetSelection!,
        hostSecurityGroup: this.network.hostSecurityGroup,
        hostRole: this.host.role,
        repositoryArns,
        logRetentionDays: ecs.logRetentionDays,
        storage: props.storage,
      });
      this.ecsApps = apps;
      const output = (key: string, value: string, description: string) => new CfnOutput(this, key, { value, description });
      output(ExtraOutputKeys.EcsClusterName, apps.cluster.clusterName, 'ECS cluster ShinyProxy starts app tasks in');
      output(ExtraOutputKeys.EcsSubnetIds, Fn.join(',', apps.subnetIds), 'Private subnets of the app tasks (comma-separated)');
      output(ExtraOutputKeys.EcsSecurityGroupId, apps.securityGroup.securityGroupId, 'Security group of the app tasks');
      output(ExtraOutputKeys.EcsExecutionRoleArn, apps.executionRole.roleArn, 'Role ECS uses to pull images and write app logs');
      output(ExtraOutputKeys.EcsLogGroupPrefix, apps.logGroupPrefix, 'Prefix of the app tasks\' CloudWatch Logs groups');
      for (const app of cfg.apps) {
        output(ecsTaskRoleOutputKey(app), apps.taskRoles.get(app.id)!.roleArn, `Task role of app ${app.id}`);
      }
    }
  }
}
