/**
 * doctor with `backend: ecs`: the cluster and role checks against a real
 * moto_server (ECS DescribeClusters, IAM GetRole), and that docker configs keep
 * the original check list.
 */
import { CreateClusterCommand, DeleteClusterCommand, ECSClient } from '@aws-sdk/client-ecs';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config/index.js';
import { ExtraOutputKeys, ecsTaskRoleOutputKey } from '../../lib/outputs.js';
import { CHECKS, runChecks, type DoctorDeps } from '../../cli/doctor/index.js';
import { ECS_CHECKS, withEcsChecks } from '../../cli/doctor/ecs.js';
import { TEST_REGION, startMoto, type Moto } from '../support/moto.js';

const YAML = (backend: string) => `
name: lab
backend: ${backend}
tls: { email: ops@lab.org }
cognito: { groups: { staff: {} } }
apps:
  - { id: one, context: a, groups: [staff] }
  - { id: two-app, kind: dash, context: b, groups: [staff] }
`;

const TRUST_ECS = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
const TRUST_EC2 = TRUST_ECS.replace('ecs-tasks', 'ec2');

let moto: Moto;
let ecs: ECSClient;
let iam: IAMClient;
beforeAll(async () => {
  moto = await startMoto();
  const opts = { endpoint: moto.url, region: TEST_REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  ecs = new ECSClient(opts);
  iam = new IAMClient(opts);
}, 90_000);
afterAll(async () => {
  ecs?.destroy();
  iam?.destroy();
  await moto?.stop();
});
beforeEach(async () => moto.reset());

const unused = () => {
  throw new Error('not used by the ECS checks');
};

function deps(outputs: Record<string, string>, backend = 'ecs'): DoctorDeps {
  return {
    config: parseConfig(YAML(backend)),
    outputs: { values: outputs, source: 'test outputs' },
    cognito: unused,
    ecr: unused,
    ssm: unused,
    ecs: () => ecs,
    iam: () => iam,
    resolve: async () => [],
    images: {},
    now: () => new Date('2026-11-22T00:00:00Z'),
    certWarnDays: 14,
  };
}

/** A deployment as the stacks create it: the cluster with Container Insights and the roles. */
async function deploy(opts: { insights?: 'enabled' | 'disabled'; executionTrust?: string; skipRole?: string } = {}) {
  await ecs.send(new CreateClusterCommand({ clusterName: 'lab-apps', settings: [{ name: 'containerInsights', value: opts.insights ?? 'enabled' }] }));
  const outputs: Record<string, string> = { [ExtraOutputKeys.EcsClusterName]: 'lab-apps' };
  const roles: [string, string, string][] = [
    [ExtraOutputKeys.EcsExecutionRoleArn, 'lab-execution', opts.executionTrust ?? TRUST_ECS],
    [ecsTaskRoleOutputKey('one'), 'lab-task-one', TRUST_ECS],
    [ecsTaskRoleOutputKey('two-app'), 'lab-task-two-app', TRUST_ECS],
  ];
  for (const [key, name, trust] of roles) {
    if (name !== opts.skipRole) await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust }));
    outputs[key] = `arn:aws:iam::123456789012:role/${name}`;
  }
  return outputs;
}

const byId = async (d: DoctorDeps) => Object.fromEntries((await runChecks(d, ECS_CHECKS)).map((r) => [r.id, r]));

describe('doctor: ECS checks against moto', () => {
  it('passes for an active cluster with Container Insights and roles that trust ECS tasks', async () => {
    const r = await byId(deps(await deploy()));
    expect(r['ecs-cluster']).toMatchObject({ status: 'ok', detail: 'lab-apps ACTIVE, 0 app tasks running' });
    expect(r['ecs-roles']).toMatchObject({ status: 'ok', detail: 'execution role and 2 task roles found' });
  });

  it('fails with the deploy fix when the cluster does not exist', async () => {
    const missing = await byId(deps({ ...(await deploy()), [ExtraOutputKeys.EcsClusterName]: 'nope' }));
    expect(missing['ecs-cluster']!.status).toBe('fail');
    expect(missing['ecs-cluster']!.detail).toMatch(/^cluster nope: /);
    expect(missing['ecs-cluster']!.fix).toMatch(/shinykit deploy/);
  });

  it('fails when the cluster has been deleted (INACTIVE)', async () => {
    const outputs = await deploy();
    await ecs.send(new DeleteClusterCommand({ cluster: 'lab-apps' }));
    const inactive = await byId(deps(outputs));
    expect(inactive['ecs-cluster']!.status).toBe('fail');
  });

  it('warns when Container Insights is off', async () => {
    const r = await byId(deps(await deploy({ insights: 'disabled' })));
    expect(r['ecs-cluster']).toMatchObject({ status: 'warn' });
    expect(r['ecs-cluster']!.detail).toMatch(/Container Insights is disabled/);
  });

  it('names a missing task role and an execution role that does not trust ECS tasks', async () => {
    const r = await byId(deps(await deploy({ skipRole: 'lab-task-two-app', executionTrust: TRUST_EC2 })));
    expect(r['ecs-roles']!.status).toBe('fail');
    expect(r['ecs-roles']!.detail).toContain('task role of two-app lab-task-two-app does not exist');
    expect(r['ecs-roles']!.detail).toContain('execution role lab-execution does not trust ecs-tasks.amazonaws.com');
  });

  it('skips, naming the outputs, when the ECS outputs are missing', async () => {
    const r = await byId(deps({}));
    expect(r['ecs-cluster']).toMatchObject({ status: 'skip' });
    expect(r['ecs-roles']!.status).toBe('skip');
    expect(r['ecs-roles']!.detail).toContain('EcsExecutionRoleArn, EcsTaskRoleOne, EcsTaskRoleTwoApp');
  });
});

describe('doctor: which checks run', () => {
  it('adds the ECS checks only with backend: ecs', () => {
    expect(withEcsChecks(parseConfig(YAML('docker')), CHECKS)).toBe(CHECKS);
    expect(withEcsChecks(parseConfig(YAML('ecs')), CHECKS).map((c) => c.id).slice(-2)).toEqual(['ecs-cluster', 'ecs-roles']);
  });

  it('requires the ECS outputs in the outputs check only with backend: ecs', async () => {
    const outputsCheck = CHECKS.filter((c) => c.id === 'outputs');
    const [dockerR] = await runChecks(deps({}, 'docker'), outputsCheck);
    const [ecsR] = await runChecks(deps({}, 'ecs'), outputsCheck);
    expect(dockerR!.detail).not.toContain('EcsClusterName');
    expect(ecsR!.detail).toContain('EcsClusterName');
  });
});
