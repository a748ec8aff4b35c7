/**
 * `plan` with `backend: ecs`: a real in-process synthesis of each egress choice,
 * priced with the bundled table — the egress actually deployed is a cost line,
 * both alternatives are shown side by side, warm seats are priced on Fargate
 * and session time is quoted per hour; the docker plan gains nothing.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config/index.js';
import { estimateEcsCost } from '../../cli/plan/ecs-cost.js';
import { runPlan } from '../../cli/commands/plan.js';
import { formatPlan } from '../../cli/plan/report.js';
import { loadPrices } from '../../cli/plan/prices.js';

const BASE = `
name: lab
region: us-east-1
tls: { email: ops@lab.org }
cognito:
  groups: { staff: {} }
apps:
  - { id: one, kind: shiny, context: a, groups: [staff], cpus: 1, memory: 2g, seats: 1 }
  - { id: two, kind: dash, context: b, groups: [staff] }
`;

const plan = (extra: string) => runPlan({ config: parseConfig(`${extra}\n${BASE}`), configFile: 'lab.yaml', mau: 10, preview: true });

describe('plan with backend: ecs', () => {
  it('prices one NAT gateway (and its address), shows both egress options, and the NAT is the cheaper for two AZs', async () => {
    const r = await plan('backend: ecs');
    const by = Object.fromEntries(r.cost.lines.map((l) => [l.item, l.monthly]));
    expect(by['NAT gateway (ECS app egress)']).toBe(32.85); // 730 h × $0.045
    expect(by['Public IPv4 addresses (Elastic IP)']).toBe(7.3); // the host's and the NAT gateway's
    const [nat, endpoints] = r.cost.ecs!.egressOptions;
    expect(nat).toMatchObject({ egress: 'nat', monthly: 36.5, chosen: true });
    expect(endpoints).toMatchObject({ egress: 'endpoints', monthly: 43.8, chosen: false });
    expect(nat!.monthly!).toBeLessThan(endpoints!.monthly!);
  });

  it('prices interface endpoints in two AZs instead with egress: endpoints', async () => {
    const r = await plan('backend: ecs\necs: { egress: endpoints }');
    const items = r.cost.lines.map((l) => l.item);
    expect(items).not.toContain('NAT gateway (ECS app egress)');
    expect(r.cost.lines.find((l) => l.item.startsWith('VPC interface endpoints'))!.monthly).toBe(43.8); // 3 × 2 × 730 × $0.01
    expect(r.cost.ecs!.egressOptions.find((o) => o.chosen)!.egress).toBe('endpoints');
  });

  it('prices warm seats on Fargate and quotes session time per hour for each app', async () => {
    const r = await plan('backend: ecs');
    // one: 1 vCPU / 2 GiB → 0.04048 + 2 × 0.004445 = 0.04937 $/h; 1 seat × 730 h
    expect(r.cost.lines.find((l) => l.item === 'Fargate warm seats: one')!.monthly).toBe(36.04);
    expect(r.cost.ecs!.sessionHourly).toEqual([
      { app: 'one', cpu: 1024, memoryMiB: 2048, hourly: 0.0494 },
      { app: 'two', cpu: 512, memoryMiB: 1024, hourly: 0.0247 },
    ]);
    expect(r.cost.notIncluded.join(' ')).toMatch(/Fargate time of app sessions \(one \$0\.0494\/h, two \$0\.0247\/h/);
  });

  it('prints the egress comparison and previews an ECS application.yml', async () => {
    const text = formatPlan(await plan('backend: ecs'));
    expect(text).toMatch(/ECS app egress \(ecs\.egress\), fixed monthly cost:\n\s+\* nat .*36\.50.*\(chosen\)\n\s+endpoints .*43\.80/);
    expect(text).toContain('container-backend: ecs');
    expect(text).toMatch(/3838\/tcp\s+from security group .*HostSecurityGroup/);
    expect(text).toContain('app sessions run as Fargate tasks in private subnets (no public address)');
    expect(text).toContain('EcsClusterName = ');
  });

  it('uses Graviton Fargate prices for arm64 tasks', () => {
    const cfg = parseConfig(`backend: ecs\necs: { architecture: arm64 }\n${BASE}`);
    const p = loadPrices().regions['us-east-1']!;
    const c = estimateEcsCost(cfg, [], p, 730, 'us-east-1')!;
    expect(c.sessionHourly[0]!.hourly).toBe(0.0395); // 0.03238 + 2 × 0.00356
  });

  it('warns, and leaves the price unknown, when the table lacks the ECS prices', () => {
    const cfg = parseConfig(`backend: ecs\n${BASE}`);
    const c = estimateEcsCost(cfg, [], { ec2HourlyOnDemand: {}, ebsGp3PerGiBMonth: 0, publicIpv4PerHour: 0.005, ecrStoragePerGBMonth: 0 }, 730, 'xx-test-1')!;
    expect(c.egressOptions.map((o) => o.monthly)).toEqual([null, null]);
    expect(c.warnings.join('\n')).toMatch(/natGatewayPerHour.*regions\.xx-test-1/);
  });

  it('adds nothing to a docker plan', async () => {
    const r = await plan('');
    expect(r.cost.ecs).toBeUndefined();
    expect(r.cost.lines.map((l) => l.item).filter((i) => /NAT|endpoint|Fargate/.test(i))).toEqual([]);
    expect(formatPlan(r)).not.toContain('ECS app egress');
  });
});
