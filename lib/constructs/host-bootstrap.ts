/**
 * The host's user data: what runs on first boot.
 *
 * First version (helper A): the inputs the bootstrap needs are wired through from
 * the stacks; the script itself is a placeholder. The real bootstrap (Docker,
 * nginx, certbot, ShinyProxy, the config watcher, cfn-signal) belongs to the host
 * issue and replaces the body of `buildHostUserData`.
 */
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Config } from '../config.js';

/** Everything the first-boot script may need; tokens are resolved by CloudFormation. */
export interface HostBootstrapInput {
  /** The validated shinykit.yaml. */
  readonly config: Config;
  /** The site's DNS name: `domain`, or `<elastic-ip>.sslip.io` (a token then). */
  readonly siteHostname: string;
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  /** The stacks' region (a token for env-agnostic stacks). */
  readonly region: string;
  /** SSM Parameter Store prefix the host reads its configuration from: `/shinykit/<name>/`. */
  readonly parameterPrefix: string;
  /** CloudWatch Logs group for the host's bootstrap and apply logs. */
  readonly logGroupName: string;
  /** The host stack's name, for `cfn-signal --stack`. */
  readonly stackName: string;
  /** The instance's CloudFormation logical id, for `cfn-signal --resource` (a token). */
  readonly instanceLogicalId: string;
}

/** Builds the host's user data. Pure: same input, same script. */
export function buildHostUserData(input: HostBootstrapInput): ec2.UserData {
  const userData = ec2.UserData.forLinux({ shebang: '#!/bin/bash' });
  userData.addCommands(
    'set -euo pipefail',
    `# shinykit host for project ${input.config.name}: placeholder bootstrap (the host issue replaces it)`,
    `# site: ${input.siteHostname}; region: ${input.region}`,
    `# configuration below ${input.parameterPrefix}; logs to ${input.logGroupName}`,
    `# user pool ${input.userPoolId}, client ${input.userPoolClientId}`,
    `# signal: stack ${input.stackName}, resource ${input.instanceLogicalId}`,
  );
  return userData;
}
