/**
 * Estimated monthly cost of the synthesized footprint, from a price table the
 * user can update. Quantities come from the templates (instance type, volume,
 * addresses, user pool tier, repositories), so the estimate follows the stacks.
 */
import type { Config } from '../../lib/config/index.js';
import { estimateEcsCost, type EcsCost } from './ecs-cost.js';
import type { PriceTable } from './prices.js';
import { resourcesOf, type CfnTemplate } from './template.js';

export interface CostLine {
  readonly item: string;
  readonly detail: string;
  /** null when the table has no price for it (see warnings). */
  readonly monthly: number | null;
}

export interface CostEstimate {
  readonly currency: string;
  /** The region the stacks target (unknown when the config does not pin one). */
  readonly region: string | undefined;
  /** The region whose prices were used. */
  readonly priceRegion: string;
  readonly asOf: string;
  readonly source: string;
  readonly pricesFile: string;
  readonly mau: number;
  readonly lines: readonly CostLine[];
  readonly total: number;
  /** True when some line has no price: the total is then a lower bound. */
  readonly incomplete: boolean;
  readonly notIncluded: readonly string[];
  readonly warnings: readonly string[];
  /** Only with `backend: ecs`: its egress alternatives and per-session prices (cli/plan/ecs-cost.ts). */
  readonly ecs?: EcsCost;
}

export interface CostInput {
  readonly config: Config;
  readonly templates: readonly CfnTemplate[];
  readonly prices: PriceTable;
  readonly pricesFile: string;
  readonly mau: number;
  readonly region?: string;
}

const round = (n: number) => Math.round(n * 100) / 100;

/** The image count an ECR lifecycle policy keeps (its imageCountMoreThan rule), if it has one. */
export function imagesKept(policyText: unknown): number | undefined {
  if (typeof policyText !== 'string') return undefined;
  try {
    const policy = JSON.parse(policyText) as { rules?: Array<{ selection?: { countType?: string; countNumber?: number }; action?: { type?: string } }> };
    const counts = (policy.rules ?? [])
      .filter((r) => r.selection?.countType === 'imageCountMoreThan' && r.action?.type === 'expire' && typeof r.selection.countNumber === 'number')
      .map((r) => r.selection!.countNumber!);
    return counts.length ? Math.min(...counts) : undefined;
  } catch {
    return undefined;
  }
}

export function estimateCost(input: CostInput): CostEstimate {
  const { config: cfg, templates, prices, mau } = input;
  const warnings: string[] = [];
  const region = input.region ?? cfg.region;
  let priceRegion = prices.defaultRegion;
  if (region && prices.regions[region]) priceRegion = region;
  else if (region) warnings.push(`no prices for ${region} in the table; using ${prices.defaultRegion} prices (add ${region} to the table for a closer estimate)`);
  const p = prices.regions[priceRegion]!;
  const hours = prices.hoursPerMonth;
  const all = <T>(type: string) => templates.flatMap((t) => resourcesOf(t, type)).map(([, r]) => (r.Properties ?? {}) as T);
  const lines: CostLine[] = [];

  type Instance = { InstanceType?: unknown; Monitoring?: unknown; BlockDeviceMappings?: Array<{ Ebs?: { VolumeSize?: unknown; VolumeType?: unknown } }> };
  const instances = all<Instance>('AWS::EC2::Instance');
  for (const inst of instances) {
    const type = typeof inst.InstanceType === 'string' ? inst.InstanceType : cfg.host.instanceType;
    const hourly = p.ec2HourlyOnDemand[type];
    if (hourly === undefined) warnings.push(`no price for instance type ${type} in the table; add it under regions.${priceRegion}.ec2HourlyOnDemand`);
    lines.push({
      item: `EC2 instance ${type}`,
      detail: hourly === undefined ? `on-demand, ${hours} h/month (price unknown)` : `on-demand, ${hours} h × $${hourly}/h`,
      monthly: hourly === undefined ? null : round(hourly * hours),
    });
    for (const bdm of inst.BlockDeviceMappings ?? []) {
      const size = Number(bdm.Ebs?.VolumeSize ?? cfg.host.volumeGiB);
      const vt = String(bdm.Ebs?.VolumeType ?? 'gp3');
      if (vt !== 'gp3') warnings.push(`volume type ${vt} priced as gp3`);
      lines.push({ item: `EBS ${vt} volume ${size} GiB`, detail: `${size} GiB × $${p.ebsGp3PerGiBMonth}/GiB-month`, monthly: round(size * p.ebsGp3PerGiBMonth) });
    }
    if (inst.Monitoring === true && p.ec2DetailedMonitoringPerInstanceMonth !== undefined) {
      lines.push({ item: 'EC2 detailed monitoring', detail: '1-minute CloudWatch metrics for the instance', monthly: round(p.ec2DetailedMonitoringPerInstanceMonth) });
    }
  }
  const addresses = all('AWS::EC2::EIP').length;
  if (addresses > 0) {
    lines.push({
      item: `Public IPv4 address${addresses === 1 ? '' : 'es'} (Elastic IP)`,
      detail: `${addresses} × ${hours} h × $${p.publicIpv4PerHour}/h (charged whether attached or not)`,
      monthly: round(addresses * hours * p.publicIpv4PerHour),
    });
  }
  const pool = all<{ UserPoolTier?: unknown }>('AWS::Cognito::UserPool')[0];
  if (pool) {
    const tier = (typeof pool.UserPoolTier === 'string' ? pool.UserPoolTier.toLowerCase() : cfg.cognito.featurePlan) as keyof PriceTable['cognito'];
    const plan = prices.cognito[tier] ?? prices.cognito[cfg.cognito.featurePlan];
    const billable = Math.max(0, mau - plan.freeMau);
    lines.push({
      item: `Cognito ${tier} feature plan`,
      detail: `${mau} monthly active users; first ${plan.freeMau} free, then $${plan.perMau}/MAU`,
      monthly: round(billable * plan.perMau),
    });
  }
  const repos = all<{ LifecyclePolicy?: { LifecyclePolicyText?: unknown } }>('AWS::ECR::Repository');
  if (repos.length > 0) {
    const e = prices.ecrImageGBEstimate;
    // Versions each repository keeps: its lifecycle rule as synthesized (lib/constructs/registry.ts),
    // the table's guess only for a repository without one.
    const kept = repos.map((r) => imagesKept(r.LifecyclePolicy?.LifecyclePolicyText));
    const gb = cfg.apps.reduce((sum, a, i) => sum + e[a.kind] + e.perExtraVersion * ((kept[i] ?? kept[0] ?? e.versionsKept) - 1), 0);
    const keptText = [...new Set(kept.map((k) => k ?? e.versionsKept))].join('/');
    const fromRule = kept.every((k) => k !== undefined);
    lines.push({
      item: `ECR image storage (${repos.length} repositor${repos.length === 1 ? 'y' : 'ies'})`,
      detail: `~${round(gb)} GB: estimated image size by app kind, up to ${keptText} versions each (${fromRule ? 'the lifecycle rule' : 'the price table\'s guess'}) × $${p.ecrStoragePerGBMonth}/GB-month`,
      monthly: round(gb * p.ecrStoragePerGBMonth),
    });
  }
  const ecs = estimateEcsCost(cfg, templates, p, hours, priceRegion);
  if (ecs) {
    lines.push(...ecs.lines);
    warnings.push(...ecs.warnings);
  }
  const incomplete = lines.some((l) => l.monthly === null);
  return {
    currency: prices.currency,
    region,
    priceRegion,
    asOf: prices.asOf,
    source: prices.source,
    pricesFile: input.pricesFile,
    mau,
    lines,
    total: round(lines.reduce((s, l) => s + (l.monthly ?? 0), 0)),
    incomplete,
    notIncluded: [
      'data transfer out to the internet (first 100 GB/month free across the account, then per GB)',
      'CloudWatch Logs ingestion and storage for the host log group',
      'taxes, and any Free Tier, Savings Plan or Reserved Instance discounts',
      ...(cfg.hostedZone ? [`the Route 53 hosted zone ${cfg.hostedZone} (you already pay for it) and its queries`] : []),
      ...(ecs?.notIncluded ?? []),
    ],
    warnings,
    ...(ecs ? { ecs } : {}),
  };
}
