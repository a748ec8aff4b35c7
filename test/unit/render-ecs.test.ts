/**
 * render with `backend: ecs`: application.yml switches ShinyProxy to its ECS
 * backend with the cluster, subnets, security group and CloudWatch settings from
 * the outputs; each spec carries Fargate requests (never limits), its task role,
 * the execution role and the platform; missing or malformed ECS outputs are
 * reported by name; docker-mode output is untouched.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfig, type Config } from '../../lib/config/index.js';
import { ExtraOutputKeys, ecsTaskRoleOutputKey } from '../../lib/outputs.js';
import { RenderError, placeholderImages, placeholderOutputs, renderConfigs, type RenderInput } from '../../lib/render/index.js';
import { fixtureConfig, fixtureImages, fixtureOutputs } from '../support/render-fixtures.js';

const ACCOUNT = '123456789012';
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

/** The render fixture config with `backend: ecs` (and optional ecs/app settings) added. */
function ecsConfig(opts: { ecs?: string; shiny?: string; dash?: string; instanceType?: string } = {}): Config {
  const base = fixtureConfig({ shiny: opts.shiny, dash: opts.dash });
  // Re-parse with the extra top-level keys so defaults and checks apply as for a real file.
  const raw = {
    ...JSON.parse(JSON.stringify(base)),
    backend: 'ecs',
    ...(opts.ecs ? { ecs: parse(opts.ecs) } : {}),
    ...(opts.instanceType ? { host: { ...base.host, instanceType: opts.instanceType } } : {}),
  };
  return parseConfig(JSON.stringify(raw), 'fixture-ecs.yaml');
}

function ecsOutputs(cfg: Config): Record<string, string> {
  const out: Record<string, string> = {
    ...fixtureOutputs(cfg),
    [ExtraOutputKeys.EcsClusterName]: 'analytics-host-EcsAppsClusterCD1CE5F3-AbC123',
    [ExtraOutputKeys.EcsSubnetIds]: 'subnet-0aaa1111bbbb2222c,subnet-0ddd3333eeee4444f',
    [ExtraOutputKeys.EcsSecurityGroupId]: 'sg-0123456789abcdef0',
    [ExtraOutputKeys.EcsExecutionRoleArn]: role('analytics-host-EcsAppsExecutionRole-XYZ'),
    [ExtraOutputKeys.EcsLogGroupPrefix]: '/shinykit/analytics/apps/',
  };
  for (const app of cfg.apps) out[ecsTaskRoleOutputKey(app)] = role(`analytics-host-TaskRole-${app.id}`);
  return out;
}

function input(cfg: Config, outputs = ecsOutputs(cfg)): RenderInput {
  return { config: cfg, outputs, images: fixtureImages(cfg), source: 'fixture-ecs.yaml + cdk-outputs.json' };
}

type Yml = { proxy: Record<string, any> & { specs: Record<string, any>[] } };
const yml = (text: string) => parse(text, { version: '1.1' }) as Yml;
const spec = (y: Yml, id: string) => y.proxy.specs.find((s) => s.id === id)!;

describe('application.yml with backend: ecs', () => {
  const cfg = ecsConfig({ shiny: 'memory: 1g\ncpus: 1', dash: 'fargate: { cpu: 256, memory: 512 }' });
  const text = renderConfigs(input(cfg)).application;
  const y = yml(text);

  it('selects the ECS backend and drops the Docker block and the host log path', () => {
    expect(y.proxy['container-backend']).toBe('ecs');
    expect(y.proxy.docker).toBeUndefined();
    expect(y.proxy['container-log-path']).toBeUndefined();
  });

  it('names the cluster, region, both app subnets and the app security group from the outputs', () => {
    expect(y.proxy.ecs).toMatchObject({
      name: 'analytics-host-EcsAppsClusterCD1CE5F3-AbC123',
      region: 'eu-west-1',
      subnets: ['subnet-0aaa1111bbbb2222c', 'subnet-0ddd3333eeee4444f'],
      'security-groups': ['sg-0123456789abcdef0'],
      'service-wait-time': 300_000, // 5 minutes for Fargate's uncached pull of a large R image (ShinyProxy's default: 3)
    });
  });

  it('turns on CloudWatch logs below the kit prefix in the stack region (both spellings ShinyProxy uses)', () => {
    expect(y.proxy.ecs['enable-cloudwatch']).toBe(true);
    expect(y.proxy.ecs['enable-cloud-watch']).toBe(true);
    expect(y.proxy.ecs['cloud-watch-group-prefix']).toBe('/shinykit/analytics/apps/');
    expect(y.proxy.ecs['cloud-watch-region']).toBe('eu-west-1');
    expect(y.proxy.ecs['cloud-watch-stream-prefix']).toBe('app');
  });

  it('gives each spec Fargate requests and no limits (the ECS backend refuses limits)', () => {
    const shiny = spec(y, 'shiny-demo');
    expect(shiny['container-cpu-request']).toBe('1024');
    expect(shiny['container-memory-request']).toBe('2048'); // 1 vCPU needs at least 2 GiB on Fargate
    const dash = spec(y, 'dash-demo');
    expect(dash['container-cpu-request']).toBe('256');
    expect(dash['container-memory-request']).toBe('512');
    for (const s of y.proxy.specs) {
      expect(s['container-memory-limit']).toBeUndefined();
      expect(s['container-cpu-limit']).toBeUndefined();
      expect(s.privileged).toBeUndefined();
    }
  });

  it('passes each app its own task role and the shared execution role', () => {
    expect(spec(y, 'shiny-demo')['ecs-task-role']).toBe(role('analytics-host-TaskRole-shiny-demo'));
    expect(spec(y, 'dash-demo')['ecs-task-role']).toBe(role('analytics-host-TaskRole-dash-demo'));
    for (const s of y.proxy.specs) expect(s['ecs-execution-role']).toBe(role('analytics-host-EcsAppsExecutionRole-XYZ'));
  });

  it('runs tasks on Linux with the architecture the images were built for', () => {
    for (const s of y.proxy.specs) {
      expect(s['ecs-cpu-architecture']).toBe('X86_64');
      expect(s['ecs-operation-system-family']).toBe('LINUX');
    }
    const arm = yml(renderConfigs(input(ecsConfig({ instanceType: 't4g.small' }))).application);
    expect(arm.proxy.specs.map((s) => s['ecs-cpu-architecture'])).toEqual(['ARM64', 'ARM64']);
    const explicit = yml(renderConfigs(input(ecsConfig({ ecs: '{ architecture: arm64 }' }))).application);
    expect(explicit.proxy.specs[0]!['ecs-cpu-architecture']).toBe('ARM64');
  });

  it('keeps what does not depend on the backend: image by digest, port, groups, Dash target-path, openid', () => {
    const dash = spec(y, 'dash-demo');
    expect(dash['container-image']).toMatch(/@sha256:[a-f0-9]{64}$/);
    expect(dash.port).toBe(8050);
    expect(dash['target-path']).toBe("#{proxy.getRuntimeValue('SHINYPROXY_PUBLIC_PATH')}");
    expect(y.proxy.openid['client-secret']).toBe('${SHINYKIT_COGNITO_CLIENT_SECRET}');
  });

  it('defaults an app without sizes to 512 CPU units and 1024 MiB', () => {
    const plain = yml(renderConfigs(input(ecsConfig())).application);
    expect(plain.proxy.specs.map((s) => [s['container-cpu-request'], s['container-memory-request']])).toEqual([
      ['512', '1024'],
      ['512', '1024'],
    ]);
  });

  it('comments the non-obvious ECS keys and is byte-identical on a rerun', () => {
    expect(text).toMatch(/# The ECS cluster .*\n\s+name: /);
    expect(text).toMatch(/# Spelling read by ShinyProxy 3\.1\/3\.2.*\n\s+enable-cloudwatch: true/);
    expect(renderConfigs(input(cfg)).application).toBe(text);
  });
});

describe('ECS outputs are checked before anything is rendered', () => {
  const cfg = ecsConfig();

  it('names every missing ECS output', () => {
    const outputs = ecsOutputs(cfg);
    delete outputs[ExtraOutputKeys.EcsClusterName];
    delete outputs[ecsTaskRoleOutputKey('dash-demo')];
    const err = (() => {
      try {
        renderConfigs(input(cfg, outputs));
      } catch (e) {
        return e as RenderError;
      }
      throw new Error('expected a RenderError');
    })();
    expect(err).toBeInstanceOf(RenderError);
    expect(err.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^output EcsClusterName is missing/),
        expect.stringMatching(/^output EcsTaskRoleDashDemo is missing/),
      ]),
    );
  });

  it.each([
    [ExtraOutputKeys.EcsSubnetIds, 'subnet-0aaa1111bbbb2222c, subnet-2', /subnet/],
    [ExtraOutputKeys.EcsSubnetIds, 'subnet-0aaa1111bbbb2222c,vpc-123', /subnet ids/],
    [ExtraOutputKeys.EcsSecurityGroupId, 'sg-0123; rm', /security group id/],
    [ExtraOutputKeys.EcsExecutionRoleArn, 'arn:aws:iam::1234:role/x', /IAM role ARN/],
    [ExtraOutputKeys.EcsLogGroupPrefix, '/shinykit/${SECRET}/', /log group prefix/],
    [ExtraOutputKeys.EcsClusterName, 'has space', /ECS cluster name/],
  ])('rejects a malformed %s (%s)', (key, value, message) => {
    expect(() => renderConfigs(input(cfg, { ...ecsOutputs(cfg), [key]: value }))).toThrow(message);
  });

  it('renders the docker backend without any ECS output, exactly as before', () => {
    const docker = fixtureConfig();
    const y = yml(renderConfigs({ config: docker, outputs: fixtureOutputs(docker), images: fixtureImages(docker), source: 's' }).application);
    expect(y.proxy['container-backend']).toBe('docker');
    expect(y.proxy.ecs).toBeUndefined();
    expect(y.proxy.specs.every((s) => s['ecs-task-role'] === undefined && s['container-cpu-request'] === undefined)).toBe(true);
  });

  it('has placeholders for plan previews in ecs mode that render cleanly', () => {
    const outputs = placeholderOutputs(cfg);
    const y = yml(renderConfigs({ config: cfg, outputs, images: placeholderImages(cfg, outputs), source: 'plan' }).application);
    expect(y.proxy['container-backend']).toBe('ecs');
    expect(y.proxy.ecs.subnets).toHaveLength(2);
    expect(Object.keys(placeholderOutputs(fixtureConfig())).filter((k) => k.startsWith('Ecs'))).toEqual([]);
  });
});
