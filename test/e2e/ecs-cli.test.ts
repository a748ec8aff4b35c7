/**
 * `backend: ecs` through the built CLI (child process, no AWS): validate rejects
 * a size Fargate does not offer (exit 2, path and valid sizes named); render
 * reads the ECS outputs from cdk-outputs.json and writes an ECS application.yml;
 * render names the ECS outputs a docker-era deployment lacks (exit 2, nothing written).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfig } from '../../lib/config/index.js';
import { ExtraOutputKeys, ecsOutputKeys, ecsTaskRoleOutputKey } from '../../lib/outputs.js';
import { runCli } from '../support/cli.js';
import { DIGEST_A, DIGEST_B, fixtureOutputs } from '../support/render-fixtures.js';

const CONFIG = `name: analytics
region: eu-west-1
backend: ecs
ecs: { egress: nat }
tls: { email: ops@example.org }
cognito:
  groups: { admin_users: {}, shiny_users: {}, dash_users: {} }
apps:
  - { id: shiny-demo, kind: shiny, context: apps/shiny, groups: [admin_users, shiny_users], fargate: { cpu: 1024, memory: 3072 } }
  - { id: dash-demo, kind: dash, context: apps/dash, groups: [admin_users, dash_users] }
`;
const cfg = parseConfig(CONFIG);
const OFFLINE_ENV = { AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function project(config: string, opts: { withEcsOutputs?: boolean } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'shinykit-ecs-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'shinykit.yaml'), config);
  // validate checks that each app's build context and Dockerfile exist.
  for (const app of ['apps/shiny', 'apps/dash']) {
    mkdirSync(join(dir, app), { recursive: true });
    writeFileSync(join(dir, app, 'Dockerfile'), 'FROM scratch\n');
  }
  const data = fixtureOutputs(cfg);
  const host: Record<string, string> = { HostInstanceId: data.HostInstanceId!, ConfigParameterPrefix: '/shinykit/analytics/', HostLogGroupName: '/shinykit/analytics/host' };
  delete data.HostInstanceId;
  if (opts.withEcsOutputs !== false) {
    Object.assign(host, {
      [ExtraOutputKeys.EcsClusterName]: 'analytics-host-EcsAppsCluster-Xyz',
      [ExtraOutputKeys.EcsSubnetIds]: 'subnet-0aaa1111bbbb2222c,subnet-0ddd3333eeee4444f',
      [ExtraOutputKeys.EcsSecurityGroupId]: 'sg-0123456789abcdef0',
      [ExtraOutputKeys.EcsExecutionRoleArn]: 'arn:aws:iam::123456789012:role/analytics-exec',
      [ExtraOutputKeys.EcsLogGroupPrefix]: '/shinykit/analytics/apps/',
      [ecsTaskRoleOutputKey('shiny-demo')]: 'arn:aws:iam::123456789012:role/analytics-task-shiny',
      [ecsTaskRoleOutputKey('dash-demo')]: 'arn:aws:iam::123456789012:role/analytics-task-dash',
    });
  }
  writeFileSync(join(dir, 'cdk-outputs.json'), JSON.stringify({ 'analytics-data': data, 'analytics-host': host }, null, 2));
  mkdirSync(join(dir, '.shinykit'));
  const repo = (id: string) => fixtureOutputs(cfg)[`Repository${id === 'shiny-demo' ? 'ShinyDemo' : 'DashDemo'}`]!;
  const state = Object.fromEntries(
    Object.entries({ 'shiny-demo': DIGEST_A, 'dash-demo': DIGEST_B }).map(([id, digest]) => [
      id,
      { repository: repo(id), tag: 'c0ffee', digest, pushedAt: '2026-01-01T00:00:00.000Z' },
    ]),
  );
  writeFileSync(join(dir, '.shinykit', 'images.json'), JSON.stringify(state, null, 2));
  return dir;
}

describe('backend: ecs through the built CLI', () => {
  it('validate: exit 2 naming apps[0].fargate.memory and the sizes Fargate offers for that CPU', async () => {
    const dir = project(CONFIG.replace('memory: 3072', 'memory: 1000'));
    const res = await runCli(['validate'], { cwd: dir, env: OFFLINE_ENV });
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toMatch(/apps\[0\]\.fargate\.memory: Fargate does not run 1024 CPU units with 1000 MiB; with cpu 1024 use one of: 2048, 3072/);
  });

  it('validate: exit 0 for the ecs config', async () => {
    const res = await runCli(['validate'], { cwd: project(CONFIG), env: OFFLINE_ENV });
    expect(res.stderr).toBe('');
    expect(res.exitCode).toBe(0);
  });

  it('render: writes an ECS application.yml from the outputs file', async () => {
    const dir = project(CONFIG);
    const out = join(dir, 'rendered');
    const res = await runCli(['render', '--out', out], { cwd: dir, env: OFFLINE_ENV });
    expect(res.stderr).not.toMatch(/error/i);
    expect(res.exitCode).toBe(0);
    const y = parse(readFileSync(join(out, 'shinyproxy/application.yml'), 'utf8'), { version: '1.1' }) as any;
    expect(y.proxy['container-backend']).toBe('ecs');
    expect(y.proxy.ecs.name).toBe('analytics-host-EcsAppsCluster-Xyz');
    expect(y.proxy.ecs.subnets).toEqual(['subnet-0aaa1111bbbb2222c', 'subnet-0ddd3333eeee4444f']);
    const shiny = y.proxy.specs.find((s: any) => s.id === 'shiny-demo');
    expect([shiny['container-cpu-request'], shiny['container-memory-request']]).toEqual(['1024', '3072']);
    expect(shiny['ecs-task-role']).toBe('arn:aws:iam::123456789012:role/analytics-task-shiny');
    expect(shiny['container-image']).toMatch(/@sha256:a{64}$/);
  });

  it('render: exit 2 naming every missing ECS output when the stacks were deployed in docker mode; nothing written', async () => {
    const dir = project(CONFIG, { withEcsOutputs: false });
    const out = join(dir, 'rendered');
    const res = await runCli(['render', '--out', out], { cwd: dir, env: OFFLINE_ENV });
    expect(res.exitCode).toBe(2);
    for (const key of ecsOutputKeys(cfg)) expect(res.stderr).toContain(key);
    expect(existsSync(out)).toBe(false);
  });
});
