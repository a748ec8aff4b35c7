/**
 * Preflight's pure parts and the one branch moto cannot drive: moto 5.2 offers
 * every instance type it knows in every zone of a region, so an instance type
 * missing from one zone (as t4g is in some regions' older zones) is played by
 * an injected EC2 client fake that answers the two calls the check makes.
 * Everything else preflight does runs against moto in test/e2e/preflight.test.ts.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { PREFLIGHT_CHECKS, type KitState, type PreflightDeps } from '../../cli/preflight/checks.js';
import { deployFacts, ruleBootstrapVersion, type DeployFacts } from '../../cli/preflight/facts.js';
import { synthesize } from '../../cli/plan/synth.js';
import { configVariant } from './stacks/synth.js';

describe('deployFacts: what the synthesized stacks need from the account', () => {
  it('the bundled config: bootstrap version 6 from CheckBootstrapVersion, two zones with the host in the first, one Elastic IP', async () => {
    const stacks = await synthesize(configVariant(), { builtinValidation: false });
    expect(deployFacts(stacks, 'analytics-host')).toEqual({
      requiredBootstrapVersion: 6,
      bootstrapVersionParameter: '/cdk-bootstrap/hnb659fds/version',
      zoneIndexes: [0, 1],
      hostZoneIndex: 0,
      elasticIps: 1,
    });
  });

  it('backend: ecs with NAT egress needs a second Elastic IP (the NAT gateway\'s); VPC endpoints do not', async () => {
    const nat = await synthesize(configVariant((r) => (r.backend = 'ecs')), { builtinValidation: false });
    expect(deployFacts(nat, 'analytics-host').elasticIps).toBe(2);
    const endpoints = await synthesize(configVariant((r) => ((r.backend = 'ecs'), (r.ecs = { egress: 'endpoints' }))), { builtinValidation: false });
    expect(deployFacts(endpoints, 'analytics-host').elasticIps).toBe(1);
  });

  it('reads the required version off the rule\'s list of refused versions', () => {
    const rule = (versions: string[]) => ({
      Rules: { CheckBootstrapVersion: { Assertions: [{ Assert: { 'Fn::Not': [{ 'Fn::Contains': [versions, { Ref: 'BootstrapVersion' }] }] } }] } },
    });
    expect(ruleBootstrapVersion(rule(['1', '2', '3', '4', '5']))).toBe(6);
    expect(ruleBootstrapVersion(rule(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12', '13', '14', '15', '16', '17', '18', '19', '20']))).toBe(21);
    expect(ruleBootstrapVersion({})).toBe(0);
  });
});

describe('instance-type check: offered in the host\'s zone, and in the VPC\'s other zone (EC2 fake: moto offers every type everywhere)', () => {
  const check = PREFLIGHT_CHECKS.find((c) => c.id === 'instance-type')!;
  const facts: DeployFacts = { requiredBootstrapVersion: 6, bootstrapVersionParameter: '', zoneIndexes: [0, 1], hostZoneIndex: 0, elasticIps: 1 };
  const kit: KitState = { account: '123456789012', resources: new Map(), stacks: new Map() };

  /** Answers DescribeInstanceTypeOfferings and DescribeAvailabilityZones (zones out of order, as the API may). */
  function deps(offeredIn: string[]): PreflightDeps {
    const ec2 = {
      send: async (cmd: { constructor: { name: string } }) =>
        cmd.constructor.name === 'DescribeInstanceTypeOfferingsCommand'
          ? { InstanceTypeOfferings: offeredIn.map((Location) => ({ InstanceType: 't4g.small', LocationType: 'availability-zone', Location })) }
          : { AvailabilityZones: ['eu-south-2c', 'eu-south-2a', 'eu-south-2b'].map((ZoneName) => ({ ZoneName })) },
    } as unknown as EC2Client;
    return { config: configVariant((r) => (r.host.instanceType = 't4g.small')), region: 'eu-south-2', facts, ec2: () => ec2 } as unknown as PreflightDeps;
  }

  it('fails when the first zone (Fn::GetAZs is alphabetical), where the host runs, lacks it', async () => {
    const r = await check.run(deps(['eu-south-2b', 'eu-south-2c']), kit);
    expect(r.status).toBe('fail');
    expect(r.detail).toBe('t4g.small is not offered in eu-south-2a, where the host runs (offered in eu-south-2b, eu-south-2c)');
    expect(r.fix).toContain('host.instanceType');
  });

  it('warns when only the VPC\'s second zone lacks it', async () => {
    const r = await check.run(deps(['eu-south-2a', 'eu-south-2c']), kit);
    expect(r).toMatchObject({ status: 'warn', detail: 't4g.small is offered in eu-south-2a (the host\'s zone) but not in eu-south-2b' });
  });

  it('passes when both zones offer it', async () => {
    const r = await check.run(deps(['eu-south-2a', 'eu-south-2b']), kit);
    expect(r).toEqual({ status: 'ok', detail: 't4g.small offered in eu-south-2a, eu-south-2b' });
  });
});
