/**
 * `backend: ecs` cost lines for `plan` (kept apart from cost.ts, which prices the
 * docker footprint): the egress the app subnets use, both alternatives side by
 * side, and Fargate for the warm seats. Session hours depend on use, so plan
 * prints the hourly price of one open session per app instead of guessing.
 */
import { appArchitecture, ecsSettings, fargateSize, type Config } from '../../lib/config/index.js';
import type { RegionPriceTable } from './prices.js';
import { resourcesOf, type CfnTemplate } from './template.js';

/** Interface endpoints the `endpoints` egress creates: ecr.api, ecr.dkr, logs (S3 is a free gateway endpoint). */
export const ECS_INTERFACE_ENDPOINTS = 3;
/** App subnets (one per AZ): interface endpoints are billed per AZ. */
export const ECS_APP_AZS = 2;

export interface EcsCostLine {
  readonly item: string;
  readonly detail: string;
  readonly monthly: number | null;
}

export interface EcsEgressOption {
  readonly egress: 'nat' | 'endpoints';
  readonly monthly: number | null;
  readonly detail: string;
  readonly chosen: boolean;
}

export interface EcsCost {
  readonly lines: readonly EcsCostLine[];
  /** Both egress choices with their fixed monthly cost, so the operator can compare. */
  readonly egressOptions: readonly EcsEgressOption[];
  /** What one open session of each app costs per hour on Fargate. */
  readonly sessionHourly: readonly { app: string; cpu: number; memoryMiB: number; hourly: number | null }[];
  readonly notIncluded: readonly string[];
  readonly warnings: readonly string[];
}

const round = (n: number) => Math.round(n * 100) / 100;
const round4 = (n: number) => Math.round(n * 10000) / 10000;

/** Undefined in docker mode. */
export function estimateEcsCost(cfg: Config, templates: readonly CfnTemplate[], p: RegionPriceTable, hours: number, priceRegion: string): EcsCost | undefined {
  if (cfg.backend !== 'ecs') return undefined;
  const warnings: string[] = [];
  const missing = (field: string) => warnings.push(`no ${field} in the price table; add it under regions.${priceRegion}.${field}`);
  const settings = ecsSettings(cfg);
  const lines: EcsCostLine[] = [];

  // What the templates actually contain (the EIP of a NAT gateway is priced with the other addresses).
  const nats = templates.flatMap((t) => resourcesOf(t, 'AWS::EC2::NatGateway')).length;
  // An interface endpoint is billed per AZ it has a network interface in (one per subnet).
  const interfaceEndpoints = templates
    .flatMap((t) => resourcesOf(t, 'AWS::EC2::VPCEndpoint'))
    .map(([, r]) => (r.Properties ?? {}) as { VpcEndpointType?: unknown; SubnetIds?: unknown[] })
    .filter((e) => e.VpcEndpointType === 'Interface');
  const interfaces = interfaceEndpoints.length;
  const endpointAzHours = interfaceEndpoints.reduce((n, e) => n + (e.SubnetIds?.length ?? 1), 0);

  const natMonthly = p.natGatewayPerHour === undefined ? null : round(hours * (p.natGatewayPerHour + p.publicIpv4PerHour));
  const endpointsMonthly =
    p.vpcInterfaceEndpointPerAzHour === undefined ? null : round(ECS_INTERFACE_ENDPOINTS * ECS_APP_AZS * hours * p.vpcInterfaceEndpointPerAzHour);
  if (p.natGatewayPerHour === undefined) missing('natGatewayPerHour');
  if (p.vpcInterfaceEndpointPerAzHour === undefined) missing('vpcInterfaceEndpointPerAzHour');

  if (nats > 0) {
    lines.push({
      item: `NAT gateway${nats === 1 ? '' : 's'} (ECS app egress)`,
      detail: p.natGatewayPerHour === undefined ? 'price unknown' : `${nats} × ${hours} h × $${p.natGatewayPerHour}/h, plus $${p.natGatewayPerGB ?? '?'}/GB processed (its address is priced above)`,
      monthly: p.natGatewayPerHour === undefined ? null : round(nats * hours * p.natGatewayPerHour),
    });
  }
  if (interfaces > 0) {
    lines.push({
      item: `VPC interface endpoints (${interfaces}, in ${endpointAzHours / interfaces} AZs)`,
      detail:
        p.vpcInterfaceEndpointPerAzHour === undefined
          ? 'price unknown'
          : `${endpointAzHours} endpoint-AZs × ${hours} h × $${p.vpcInterfaceEndpointPerAzHour}/h, plus $${p.vpcEndpointPerGB ?? '?'}/GB; S3 gateway endpoint free`,
      monthly: p.vpcInterfaceEndpointPerAzHour === undefined ? null : round(endpointAzHours * hours * p.vpcInterfaceEndpointPerAzHour),
    });
  }

  const arm = appArchitecture(cfg) === 'arm64';
  const vcpuHour = arm ? p.fargateArmVcpuPerHour : p.fargateVcpuPerHour;
  const gbHour = arm ? p.fargateArmGBPerHour : p.fargateGBPerHour;
  if (vcpuHour === undefined || gbHour === undefined) missing(arm ? 'fargateArmVcpuPerHour/fargateArmGBPerHour' : 'fargateVcpuPerHour/fargateGBPerHour');
  const sessionHourly = cfg.apps.map((app) => {
    const size = fargateSize(app)!;
    const exact = vcpuHour === undefined || gbHour === undefined ? null : (size.cpu / 1024) * vcpuHour + (size.memory / 1024) * gbHour;
    return { app: app.id, cpu: size.cpu, memoryMiB: size.memory, exact };
  });
  for (const app of cfg.apps) {
    if (!app.seats) continue;
    const s = sessionHourly.find((x) => x.app === app.id)!;
    lines.push({
      item: `Fargate warm seats: ${app.id}`,
      detail: `${app.seats} task${app.seats === 1 ? '' : 's'} always running (${s.cpu} CPU units, ${s.memoryMiB} MiB, ${arm ? 'ARM64' : 'X86_64'}) × ${hours} h × $${s.exact === null ? '?' : round4(s.exact)}/h`,
      monthly: s.exact === null ? null : round(app.seats * hours * s.exact),
    });
  }
  const perSession = sessionHourly.map(({ exact, ...rest }) => ({ ...rest, hourly: exact === null ? null : round4(exact) }));

  return {
    lines,
    egressOptions: [
      {
        egress: 'nat',
        monthly: natMonthly,
        detail: 'one NAT gateway and its public IPv4 address; apps can reach the internet',
        chosen: settings.egress === 'nat',
      },
      {
        egress: 'endpoints',
        monthly: endpointsMonthly,
        detail: `${ECS_INTERFACE_ENDPOINTS} interface endpoints (ecr.api, ecr.dkr, logs) in ${ECS_APP_AZS} AZs; apps get no internet access`,
        chosen: settings.egress === 'endpoints',
      },
    ],
    sessionHourly: perSession,
    notIncluded: [
      `Fargate time of app sessions (${perSession.map((s) => `${s.app} $${s.hourly ?? '?'}/h`).join(', ')} while a session is open)`,
      'ECS Container Insights metrics and the app tasks\' CloudWatch Logs',
      `data processed by the ${settings.egress === 'nat' ? 'NAT gateway' : 'interface endpoints'} (image layers use the free S3 gateway endpoint)`,
    ],
    warnings,
  };
}
