/**
 * Doctor checks for `backend: ecs` (added to the list only in that mode): the
 * cluster ShinyProxy starts tasks in exists and is ACTIVE, and the execution role
 * and every app's task role exist and trust ECS tasks. Both read the deployment
 * only (ecs:DescribeClusters, iam:GetRole).
 */
import { DescribeClustersCommand } from '@aws-sdk/client-ecs';
import { GetRoleCommand, NoSuchEntityException } from '@aws-sdk/client-iam';
import type { Config } from '../../lib/config/index.js';
import { ExtraOutputKeys, ecsTaskRoleOutputKey } from '../../lib/outputs.js';
import type { Check } from './checks.js';

const DEPLOY_FIX = 'deploy the stacks with backend: ecs (`npx shinykit deploy`), then `npx shinykit apply`';
const skip = (detail: string) => ({ status: 'skip' as const, detail });

function client<T>(make: (() => T) | undefined, what: string): T {
  if (!make) throw new Error(`no ${what} client was provided to the doctor`);
  return make();
}

export const ECS_CHECKS: readonly Check[] = [
  {
    id: 'ecs-cluster',
    title: 'ECS cluster for the apps is active',
    async run(d, out) {
      const name = out[ExtraOutputKeys.EcsClusterName];
      if (!name) return skip(`needs the ${ExtraOutputKeys.EcsClusterName} output (see the first check)`);
      const res = await client(d.ecs, 'ECS').send(new DescribeClustersCommand({ clusters: [name], include: ['SETTINGS'] }));
      const cluster = res.clusters?.[0];
      if (!cluster) {
        const reason = res.failures?.[0]?.reason ?? 'not found';
        return { status: 'fail', detail: `cluster ${name}: ${reason}`, fix: DEPLOY_FIX };
      }
      if (cluster.status !== 'ACTIVE') {
        return { status: 'fail', detail: `cluster ${name} is ${cluster.status}`, fix: DEPLOY_FIX };
      }
      const running = cluster.runningTasksCount ?? 0;
      const insights = cluster.settings?.find((s) => s.name === 'containerInsights')?.value;
      const detail = `${name} ACTIVE, ${running} app task${running === 1 ? '' : 's'} running`;
      if (insights !== undefined && insights !== 'enabled' && insights !== 'enhanced') {
        return { status: 'warn', detail: `${detail}; Container Insights is ${insights}`, fix: 'redeploy the host stack: the kit turns Container Insights on' };
      }
      return { status: 'ok', detail };
    },
  },
  {
    id: 'ecs-roles',
    title: 'app task roles and the execution role exist and trust ECS tasks',
    async run(d, out) {
      const wanted: [string, string][] = [
        ['execution role', ExtraOutputKeys.EcsExecutionRoleArn],
        ...d.config.apps.map((a): [string, string] => [`task role of ${a.id}`, ecsTaskRoleOutputKey(a)]),
      ];
      const missing = wanted.filter(([, key]) => !out[key]).map(([, key]) => key);
      if (missing.length > 0) return skip(`needs the ${missing.join(', ')} output${missing.length === 1 ? '' : 's'} (see the first check)`);
      const problems: string[] = [];
      for (const [what, key] of wanted) {
        const arn = out[key]!;
        const name = arn.split('/').pop()!;
        try {
          const { Role } = await client(d.iam, 'IAM').send(new GetRoleCommand({ RoleName: name }));
          const trust = decodeURIComponent(Role?.AssumeRolePolicyDocument ?? '');
          if (!trust.includes('ecs-tasks.amazonaws.com')) problems.push(`${what} ${name} does not trust ecs-tasks.amazonaws.com`);
        } catch (err) {
          if (err instanceof NoSuchEntityException || (err as Error).name === 'NoSuchEntity') problems.push(`${what} ${name} does not exist`);
          else throw err;
        }
      }
      if (problems.length > 0) return { status: 'fail', detail: problems.join('; '), fix: DEPLOY_FIX };
      return { status: 'ok', detail: `execution role and ${d.config.apps.length} task role${d.config.apps.length === 1 ? '' : 's'} found` };
    },
  },
];

/** The checks for this config: the base list, plus the ECS ones with `backend: ecs`. */
export function withEcsChecks(cfg: Config, base: readonly Check[]): readonly Check[] {
  return cfg.backend === 'ecs' ? [...base, ...ECS_CHECKS] : base;
}
