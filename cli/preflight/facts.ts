/**
 * What preflight needs to know about the stacks a deploy would create, read from
 * an offline synthesis (pure): the CDK bootstrap version they require, the
 * availability zones the VPC spreads over, and how many Elastic IPs they allocate.
 */
import type { SynthesizedStack } from '../plan/synth.js';
import { resourcesOf, type CfnTemplate } from '../plan/template.js';

/** The default qualifier's parameter; the synthesizer names it in the manifest. */
export const DEFAULT_BOOTSTRAP_PARAMETER = '/cdk-bootstrap/hnb659fds/version';

export interface DeployFacts {
  /** The lowest bootstrap version every stack accepts. */
  readonly requiredBootstrapVersion: number;
  /** `/cdk-bootstrap/<qualifier>/version`. */
  readonly bootstrapVersionParameter: string;
  /** Indexes into the region's zone list (Fn::GetAZs) of the VPC's public subnets, ascending. */
  readonly zoneIndexes: readonly number[];
  /** The zone index of the host's subnet. */
  readonly hostZoneIndex: number;
  /** Elastic IPs the stacks allocate (the site's address; a NAT gateway's with ecs egress nat). */
  readonly elasticIps: number;
}

export function deployFacts(stacks: readonly SynthesizedStack[], hostStackName: string): DeployFacts {
  const host = stacks.find((s) => s.name === hostStackName)?.template ?? {};
  const zones = publicSubnetZones(host);
  const hostSubnet = hostSubnetId(host);
  return {
    requiredBootstrapVersion: Math.max(0, ...stacks.map((s) => Math.max(s.requiresBootstrapStackVersion ?? 0, ruleBootstrapVersion(s.template)))),
    bootstrapVersionParameter: stacks.find((s) => s.bootstrapVersionParameter)?.bootstrapVersionParameter ?? DEFAULT_BOOTSTRAP_PARAMETER,
    zoneIndexes: [...new Set(zones.values())].sort((a, b) => a - b),
    hostZoneIndex: (hostSubnet !== undefined ? zones.get(hostSubnet) : undefined) ?? 0,
    elasticIps: stacks.reduce((n, s) => n + resourcesOf(s.template, 'AWS::EC2::EIP').length, 0),
  };
}

/**
 * aws-cdk-lib's `CheckBootstrapVersion` rule asserts the version is not in a list of
 * too-old versions (`Fn::Not [Fn::Contains [["1",...,"5"], Ref BootstrapVersion]]`):
 * the first version past that list is the one the template needs.
 */
export function ruleBootstrapVersion(template: CfnTemplate & { Rules?: Record<string, unknown> }): number {
  const rule = template.Rules?.CheckBootstrapVersion as { Assertions?: Array<{ Assert?: unknown }> } | undefined;
  let required = 0;
  for (const a of rule?.Assertions ?? []) {
    const contains = (a.Assert as { 'Fn::Not'?: Array<{ 'Fn::Contains'?: [unknown, unknown] }> } | undefined)?.['Fn::Not']?.[0]?.['Fn::Contains'];
    const list = Array.isArray(contains?.[0]) ? (contains[0] as unknown[]) : [];
    for (const v of list) if (/^\d+$/.test(String(v))) required = Math.max(required, Number(v) + 1);
  }
  return required;
}

/** Public subnet logical id → zone index, from `Fn::Select [i, Fn::GetAZs ...]`. */
function publicSubnetZones(t: CfnTemplate): Map<string, number> {
  const zones = new Map<string, number>();
  for (const [id, r] of resourcesOf(t, 'AWS::EC2::Subnet')) {
    if (r.Properties?.MapPublicIpOnLaunch !== true) continue;
    const select = (r.Properties?.AvailabilityZone as { 'Fn::Select'?: [number, unknown] } | undefined)?.['Fn::Select'];
    if (select && typeof select[0] === 'number') zones.set(id, select[0]);
  }
  return zones;
}

function hostSubnetId(t: CfnTemplate): string | undefined {
  const [, instance] = resourcesOf(t, 'AWS::EC2::Instance')[0] ?? [];
  const ref = instance?.Properties?.SubnetId as { Ref?: string } | undefined;
  return ref?.Ref;
}
