/**
 * The pure parts of `shinykit plan` on small hand-written templates, plus one
 * in-process synthesis of a non-default config (SSH CIDR, Graviton, MFA
 * required, plus plan) to prove the plan follows the stacks, not the defaults.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config/index.js';
import { checkAppInputs } from '../../cli/plan/apps.js';
import { estimateCost } from '../../cli/plan/cost.js';
import { describeExposure } from '../../cli/plan/exposure.js';
import { describeHostSoftware, formatHostSoftware } from '../../cli/plan/host-software.js';
import { runPlan } from '../../cli/commands/plan.js';
import { accessTable, formatPlan } from '../../cli/plan/report.js';
import { imagesKept } from '../../cli/plan/cost.js';
import type { PlanSection } from '../../cli/plan/sections.js';
import { defaultPricesFile, loadPrices, type PriceTable } from '../../cli/plan/prices.js';
import { summarizeResources } from '../../cli/plan/resources.js';
import type { CfnTemplate } from '../../cli/plan/template.js';
import { UsageError } from '../../cli/lib/errors.js';

const BASE = `
name: lab
tls: { email: ops@lab.org }
cognito:
  featurePlan: essentials
  groups: { staff: {}, admins: {} }
shinyproxy: { adminGroups: [admins] }
apps:
  - { id: one, kind: shiny, context: a, groups: [staff, admins] }
  - { id: two, kind: dash, context: b, groups: [admins] }
`;
const cfg = parseConfig(BASE);

const prices: PriceTable = {
  asOf: '2026-01-01',
  currency: 'USD',
  source: 'test table',
  hoursPerMonth: 730,
  defaultRegion: 'us-east-1',
  regions: {
    'us-east-1': { ec2HourlyOnDemand: { 't3.small': 0.02 }, ebsGp3PerGiBMonth: 0.1, publicIpv4PerHour: 0.005, ecrStoragePerGBMonth: 0.1 },
  },
  cognito: { lite: { freeMau: 10, perMau: 0.01 }, essentials: { freeMau: 10, perMau: 0.02 }, plus: { freeMau: 0, perMau: 0.05 } },
  ecrImageGBEstimate: { shiny: 1, dash: 0.5, custom: 1, perExtraVersion: 0, versionsKept: 1 },
};

const template = (instanceType = 't3.small'): CfnTemplate => ({
  Resources: {
    Eip: { Type: 'AWS::EC2::EIP', DeletionPolicy: 'Retain' },
    Pool: {
      Type: 'AWS::Cognito::UserPool',
      DeletionPolicy: 'Retain',
      Properties: { AdminCreateUserConfig: { AllowAdminCreateUserOnly: true }, MfaConfiguration: 'ON', EnabledMfas: ['SOFTWARE_TOKEN_MFA'], UserPoolTier: 'PLUS' },
    },
    RepoA: { Type: 'AWS::ECR::Repository' },
    RepoB: { Type: 'AWS::ECR::Repository' },
    Sg: {
      Type: 'AWS::EC2::SecurityGroup',
      Properties: { SecurityGroupIngress: [{ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: 'HTTPS' }] },
    },
    SshRule: { Type: 'AWS::EC2::SecurityGroupIngress', Properties: { CidrIp: '198.51.100.7/32', IpProtocol: 'tcp', FromPort: 22, ToPort: 22 } },
    Host: {
      Type: 'AWS::EC2::Instance',
      Properties: { InstanceType: instanceType, BlockDeviceMappings: [{ Ebs: { VolumeSize: 20, VolumeType: 'gp3' } }] },
    },
  },
});

describe('plan: resources', () => {
  it('counts resources by type with their logical ids and lists what is retained', () => {
    const s = summarizeResources('lab-data', template());
    expect(s.total).toBe(7);
    expect(s.byType.find((t) => t.type === 'AWS::ECR::Repository')).toEqual({
      type: 'AWS::ECR::Repository',
      label: 'ECR image repository',
      count: 2,
      logicalIds: ['RepoA', 'RepoB'],
      names: [],
    });
    expect(s.retained.map((r) => r.logicalId)).toEqual(['Eip', 'Pool']);
  });
});

describe('plan: exposure', () => {
  it('reads ingress from security groups and standalone ingress resources, and spots SSH', () => {
    const e = describeExposure(cfg, [template()]);
    expect(e.ingress.map((r) => [r.ports, r.source, r.anywhere])).toEqual([
      ['443/tcp', '0.0.0.0/0 (anywhere, IPv4)', true],
      ['22/tcp', '198.51.100.7/32', false],
    ]);
    expect(e.sshOpen).toBe(true);
  });

  it('an all-traffic rule counts as open SSH', () => {
    const t: CfnTemplate = { Resources: { Sg: { Type: 'AWS::EC2::SecurityGroup', Properties: { SecurityGroupIngress: [{ CidrIp: '10.0.0.0/8', IpProtocol: '-1' }] } } } };
    const e = describeExposure(cfg, [t]);
    expect(e.ingress[0]!.ports).toBe('all traffic');
    expect(e.sshOpen).toBe(true);
  });

  it('lists federated identity providers and whether local users may sign in', () => {
    const t = template();
    const res = t.Resources as Record<string, unknown>;
    res.Google = { Type: 'AWS::Cognito::UserPoolIdentityProvider', Properties: { ProviderName: 'Google', ProviderType: 'Google' } };
    res.Client = { Type: 'AWS::Cognito::UserPoolClient', Properties: { SupportedIdentityProviders: [{ Ref: 'Google' }] } };
    const e = describeExposure(cfg, [t]);
    expect(e.login).toMatchObject({ localUsers: false, providers: [{ name: 'Google', type: 'Google' }] });
    expect(describeExposure(cfg, [template()]).login?.localUsers).toBe(true);
  });

  it('reports the login policy from the user pool and maps groups to apps', () => {
    const e = describeExposure(cfg, [template()]);
    expect(e.login).toMatchObject({ adminCreatedUsersOnly: true, mfa: 'ON', featurePlan: 'PLUS' });
    expect(e.groups).toEqual([
      { group: 'staff', apps: ['one'], admin: false },
      { group: 'admins', apps: ['one', 'two'], admin: true },
    ]);
    expect(e.apps.map((a) => a.path)).toEqual(['/app/one', '/app/two']);
  });
});

describe('plan: cost', () => {
  const base = { config: cfg, prices, pricesFile: 'p.json', mau: 50 };

  it('prices what the templates contain: instance, volume, address, Cognito tier from the pool, ECR', () => {
    const c = estimateCost({ ...base, templates: [template()] });
    const by = Object.fromEntries(c.lines.map((l) => [l.item, l.monthly]));
    expect(by['EC2 instance t3.small']).toBe(14.6); // 0.02 × 730
    expect(by['EBS gp3 volume 20 GiB']).toBe(2);
    expect(by['Public IPv4 address (Elastic IP)']).toBe(3.65);
    expect(by['Cognito plus feature plan']).toBe(2.5); // 50 MAU × 0.05, no free tier
    expect(by['ECR image storage (2 repositories)']).toBe(0.15); // (1 + 0.5) GB × 0.1
    expect(c.total).toBe(22.9);
    expect(c.incomplete).toBe(false);
    expect(c.asOf).toBe('2026-01-01');
  });

  it('Cognito is free up to the free tier and charged per MAU above it', () => {
    const t = template();
    (t.Resources!.Pool!.Properties as Record<string, unknown>).UserPoolTier = 'ESSENTIALS';
    const cognito = (mau: number) => estimateCost({ ...base, mau, templates: [t] }).lines.find((l) => l.item.startsWith('Cognito'))!.monthly;
    expect(cognito(10)).toBe(0);
    expect(cognito(110)).toBe(2);
  });

  it('an instance type missing from the table is unknown, flagged, and the total marked incomplete', () => {
    const c = estimateCost({ ...base, templates: [template('x9.huge')] });
    expect(c.lines.find((l) => l.item === 'EC2 instance x9.huge')!.monthly).toBeNull();
    expect(c.incomplete).toBe(true);
    expect(c.warnings.join()).toContain('add it under regions.us-east-1.ec2HourlyOnDemand');
  });

  it('a region missing from the table falls back to the default region, with a warning', () => {
    const c = estimateCost({ ...base, region: 'ap-south-2', templates: [template()] });
    expect(c.priceRegion).toBe('us-east-1');
    expect(c.warnings.join()).toContain('no prices for ap-south-2');
  });
});

describe('plan: app build inputs', () => {
  it('finds each context and Dockerfile relative to the config, and names what is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shinykit-apps-'));
    mkdirSync(join(dir, 'a'));
    writeFileSync(join(dir, 'a', 'Dockerfile'), 'FROM scratch\n');
    mkdirSync(join(dir, 'b')); // no Dockerfile
    const apps = checkAppInputs(cfg, dir);
    expect(apps[0]).toMatchObject({ id: 'one', port: 3838, problems: [] });
    expect(apps[1]!.problems.join()).toContain('no Dockerfile at');
    const none = checkAppInputs(cfg, join(dir, 'elsewhere'));
    expect(none[0]!.problems.join()).toContain('build context a is not a folder');
  });
});

describe('plan: host software', () => {
  it('the default version is pinned by the kit; an unpinned one warns that the deploy will fail, and says how to pin it', () => {
    expect(describeHostSoftware(cfg)).toMatchObject({ shinyproxyVersion: '3.2.4', checksumPin: 'kit' });
    const s = describeHostSoftware(parseConfig(BASE.replace('shinyproxy: { adminGroups: [admins] }', 'shinyproxy: { adminGroups: [admins], version: 3.2.0 }')));
    expect(s).toMatchObject({ shinyproxyVersion: '3.2.0', checksumPin: 'none' });
    expect(s.downloadUrl).toMatch(/v3\.2\.0\/shinyproxy-3\.2\.0\.jar$/);
    const text = formatHostSoftware(s).join('\n');
    expect(text).toContain('the host will refuse the download');
    expect(text).toContain('set shinyproxy.sha256');
  });

  it('a checksum in shinykit.yaml counts as pinned (no warning)', () => {
    const pinned = parseConfig(BASE.replace('shinyproxy: { adminGroups: [admins] }', `shinyproxy: { adminGroups: [admins], sha256: ${'ab'.repeat(32)} }`));
    const s = describeHostSoftware(pinned);
    expect(s.checksumPin).toBe('config');
    expect(formatHostSoftware(s).join('\n')).not.toContain('warning');
  });
});

describe('plan: price table', () => {
  it('the bundled table loads and prices the default instance types in its default region', () => {
    const p = loadPrices(defaultPricesFile());
    expect(p.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const region = p.regions[p.defaultRegion]!;
    for (const t of ['t3.small', 't4g.small', 't3.medium']) expect(region.ec2HourlyOnDemand[t]).toBeGreaterThan(0);
  });

  it('a broken table is a usage error that names the field', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'shinykit-prices-')), 'p.json');
    writeFileSync(file, JSON.stringify({ ...prices, asOf: 'last week' }));
    expect(() => loadPrices(file)).toThrow(UsageError);
    try {
      loadPrices(file);
    } catch (err) {
      expect((err as UsageError).details.join()).toContain('asOf: expected a date');
    }
  });
});

describe('plan: synthesized for a non-default config', () => {
  it('shows SSH open to the configured CIDR, Graviton pricing, MFA required and the plus plan', async () => {
    const custom = parseConfig(
      BASE.replace('featurePlan: essentials', 'featurePlan: plus\n  mfa: required') + 'host: { instanceType: t4g.small, volumeGiB: 40, sshCidr: 198.51.100.7/32 }\n',
    );
    const progress: string[] = [];
    const r = await runPlan({ config: custom, configFile: 'x.yaml', mau: 50, preview: true, progress: (l) => progress.push(l) });
    expect(progress[0]).toBe('synthesizing the lab-data and lab-host stacks');
    expect(progress).toEqual(expect.arrayContaining(['loading the CDK library', 'synthesizing the CloudFormation templates']));
    expect(r.exposure.sshOpen).toBe(true);
    expect(r.exposure.ingress.find((i) => i.ports === '22/tcp')?.source).toBe('198.51.100.7/32');
    expect(r.exposure.login?.mfa).toBe('ON');
    const items = r.cost.lines.map((l) => l.item);
    expect(items).toContain('EC2 instance t4g.small');
    expect(items).toContain('EBS gp3 volume 40 GiB');
    expect(items).toContain('Cognito plus feature plan');
    const text = formatPlan(r);
    expect(text).toContain('SSH (22/tcp) is open to the source above only');
    expect(text).toMatch(/Open ports\s+443 \(HTTPS\), 80 \(HTTP\) from anywhere; 22 \(SSH\) from 198\.51\.100\.7\/32\n/);
    // Named by what they are, from the synthesized templates, not by CDK logical ids.
    expect(text).toContain('2 × ECR image repository: lab/one, lab/two');
    expect(text).toContain('1 × EC2 host: t4g.small');
    expect(text).not.toMatch(/RegistryRepo|HostInstance[0-9A-F]/);
    // The lifecycle rule the kit sets (lib/constructs/registry.ts) sizes the ECR estimate.
    expect(r.cost.lines.find((l) => l.item.startsWith('ECR'))?.detail).toContain('up to 30 versions each (the lifecycle rule)');
    expect(text).toContain('MFA: required');
    expect(r.preview?.placeholder).toBe(true);
  });
});

describe('plan: the one-screen summary and its sections', () => {
  /** A plan of the hand-written template (no synthesis), for `cfg` and `opts`. */
  const planOf = (t: CfnTemplate = template(), opts: Partial<Parameters<typeof runPlan>[0]> = {}) =>
    runPlan({
      config: cfg,
      configFile: 'lab.yaml',
      mau: 50,
      region: 'eu-west-1',
      regionSource: 'AWS_REGION',
      synth: async () => [{ name: 'lab-data', template: t, messages: [] }],
      ...opts,
    });

  it('opens with site, region, stacks, open ports, who can log in, monthly cost and problems, in that order', async () => {
    const r = await planOf();
    const top = formatPlan(r).split('\n').slice(0, 12).join('\n');
    expect(top).toMatch(/^shinykit plan: lab \(lab\.yaml\), offline: plan deploys nothing\n\n/);
    const labels = [...top.matchAll(/^ {2}(\S[\w -]*?) {2,}/gm)].map((m) => m[1]);
    expect(labels).toEqual(['Site', 'Sign-in page', 'Deployed kit', 'Region', 'Stacks', 'Open ports', 'Who can log in', 'Monthly cost', 'Problems']);
    expect(top).toContain('Site            https://<elastic-ip>/');
    expect(top).toContain('Region          eu-west-1 (from AWS_REGION)');
    expect(top).toContain('Stacks          lab-data (7 resources)');
    expect(top).toContain('Open ports      443 (HTTPS) from anywhere; 22 (SSH) from 198.51.100.7/32');
    expect(top).toContain('Who can log in  only users you add (`shinykit users add`); MFA required; 2 groups open 2 apps');
    expect(top).toContain(`Monthly cost    about $${r.cost.total.toFixed(2)} (estimate; eu-west-1 prices as of`);
  });

  it('shows group × app access as one table, with the admin page', async () => {
    const table = accessTable((await planOf()).exposure);
    expect(table).toEqual([
      '  group   one  two  admin page',
      '  staff   ✓    ·    ·',
      '  admins  ✓    ✓    ✓',
    ]);
  });

  it('prices and previews the same region, and says so when the table lacks it', async () => {
    const known = await planOf(template(), { preview: true });
    expect(known.cost.priceRegion).toBe('eu-west-1');
    expect(known.preview?.outputs.Region).toBe('eu-west-1');
    const unknown = await planOf(template(), { region: 'ap-southeast-7', preview: true });
    expect(unknown.preview?.outputs.Region).toBe('us-east-1');
    expect(formatPlan(unknown)).toContain('Region          ap-southeast-7 (from AWS_REGION); priced as us-east-1 (the price table has no ap-southeast-7)');
    const none = await planOf(template(), { region: undefined, regionSource: 'none' });
    expect(none.findings.map((f) => f.source)).toContain('region');
  });

  it('keeps the rendered configs out of the text unless --preview', async () => {
    expect(formatPlan(await planOf())).not.toContain('--- nginx/');
    expect(formatPlan(await planOf())).toContain('`shinykit plan --preview`');
    expect(formatPlan(await planOf(template(), { preview: true }))).toMatch(/--- nginx\/shinyproxy\.conf \(preview\) ---/);
  });

  it('never calls a rule open to anywhere "from the configured CIDR only", and warns about it', async () => {
    const t = template();
    (t.Resources as Record<string, unknown>).SshRule = {
      Type: 'AWS::EC2::SecurityGroupIngress',
      Properties: { CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 22, ToPort: 22, Description: 'SSH from the configured CIDR only' },
    };
    const r = await planOf(t);
    const text = formatPlan(r);
    expect(text).not.toMatch(/anywhere.*configured CIDR only/);
    expect(text).toContain('SSH (22/tcp) is OPEN TO THE WHOLE INTERNET');
    expect(r.findings).toContainEqual(expect.objectContaining({ level: 'warning', source: 'network' }));
  });

  it('CDK errors are findings that fail plan; unknown prices are warnings', async () => {
    const r = await runPlan({
      config: cfg,
      configFile: 'lab.yaml',
      mau: 50,
      region: 'us-east-1',
      synth: async () => [{ name: 'lab-host', template: template('t3.nano'), messages: [{ level: 'error', path: '/lab-host/Host', text: 'bad' }] }],
    });
    expect(r.findings).toContainEqual({ level: 'error', source: 'CDK', message: '/lab-host/Host: bad' });
    // lab.yaml's contexts a/ and b/ do not exist here either: push would fail, so they are errors too.
    expect(r.findings.filter((f) => f.level === 'error').map((f) => f.source)).toEqual(['apps', 'apps', 'CDK']);
    expect(r.findings.some((f) => f.level === 'warning' && f.source === 'cost' && f.message.includes('t3.nano'))).toBe(true);
    expect(formatPlan(r)).toMatch(/Problems {8}3 errors, \d+ warnings? \(listed under Problems\)/);
  });

  it('a section added by another module shows in the summary, the sections, the problems and --json', async () => {
    const tls: PlanSection<{ mode: string }> = {
      key: 'tls',
      title: 'TLS certificate',
      collect: (input) => ({ mode: `ip for ${input.config.name}` }),
      format: (d) => [`  mode: ${d.mode}`],
      summary: (d) => ['TLS', d.mode],
      findings: () => [{ level: 'warning', source: 'tls', message: 'short-lived' }],
    };
    const r = await planOf(template(), { sections: [tls as PlanSection] });
    expect(JSON.parse(JSON.stringify(r)).sections).toEqual({ tls: { mode: 'ip for lab' } });
    const text = formatPlan(r);
    expect(text).toMatch(/\n {2}TLS +ip for lab\n/);
    expect(text).toContain('TLS certificate\n---------------\n  mode: ip for lab');
    expect(text).toContain('warning: [tls] short-lived');
  });

  it('the ECR estimate follows the lifecycle rule in the template', () => {
    const rule = (n: number) => JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: n }, action: { type: 'expire' } }] });
    expect(imagesKept(rule(30))).toBe(30);
    expect(imagesKept(undefined)).toBeUndefined();
    const t = template();
    for (const id of ['RepoA', 'RepoB']) (t.Resources as Record<string, unknown>)[id] = { Type: 'AWS::ECR::Repository', Properties: { LifecyclePolicy: { LifecyclePolicyText: rule(11) } } };
    const table = { ...prices, ecrImageGBEstimate: { ...prices.ecrImageGBEstimate, perExtraVersion: 0.1 } };
    const c = estimateCost({ config: cfg, templates: [t], prices: table, pricesFile: 'p.json', mau: 0 });
    const ecr = c.lines.find((l) => l.item.startsWith('ECR'))!;
    expect(ecr.detail).toContain('up to 11 versions each (the lifecycle rule)');
    expect(ecr.monthly).toBe(0.35); // (1 + 10 × 0.1) + (0.5 + 10 × 0.1) GB × $0.1
  });
});
