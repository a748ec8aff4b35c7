/**
 * `<name>-host`: the stateless, replaceable part — the network, the instance, its
 * role and its log group. Deleting this stack loses no users, images or address.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { repositoryName, type Config } from '../config.js';
import { ExtraOutputKeys, OutputKeys, parameterPrefix } from '../outputs.js';
import { Host } from '../constructs/host.js';
import { Network } from '../constructs/network.js';
import { repositoryArn } from '../constructs/registry.js';
import { siteHostname } from '../constructs/site.js';

export interface HostStackProps extends StackProps {
  readonly config: Config;
  /** From the data stack (cross-stack references). */
  readonly eipPublicIp: string;
  readonly eipAllocationId: string;
  readonly userPoolId: string;
  readonly userPoolArn: string;
  readonly userPoolClientId: string;
}

/** `/shinykit/<name>/host`: the host's CloudWatch Logs group. */
export function hostLogGroupName(cfg: Pick<Config, 'name'>): string {
  return `/shinykit/${cfg.name}/host`;
}

export class HostStack extends Stack {
  readonly network: Network;
  readonly host: Host;

  constructor(scope: Construct, id: string, props: HostStackProps) {
    super(scope, id, props);
    const cfg = props.config;

    this.network = new Network(this, 'Network', { sshCidr: cfg.host.sshCidr });
    this.host = new Host(this, 'Host', {
      config: cfg,
      vpc: this.network.vpc,
      securityGroup: this.network.hostSecurityGroup,
      eipAllocationId: props.eipAllocationId,
      siteHostname: siteHostname(cfg, props.eipPublicIp),
      userPoolId: props.userPoolId,
      userPoolArn: props.userPoolArn,
      userPoolClientId: props.userPoolClientId,
      // Built from names, not imported: adding or removing an app then never
      // fights an export the other stack still uses.
      repositoryArns: cfg.apps.map((app) => repositoryArn(this, repositoryName(cfg, app))),
      parameterPrefix: parameterPrefix(cfg),
      logGroupName: hostLogGroupName(cfg),
    });

    new CfnOutput(this, OutputKeys.HostInstanceId, { value: this.host.instance.instanceId, description: 'EC2 instance id of the host (SSM target)' });
    new CfnOutput(this, ExtraOutputKeys.ConfigParameterPrefix, { value: parameterPrefix(cfg), description: 'Parameter Store prefix the host reads its configuration from' });
    new CfnOutput(this, ExtraOutputKeys.HostLogGroupName, { value: this.host.logGroup.logGroupName, description: 'CloudWatch Logs group of the host' });
  }
}
