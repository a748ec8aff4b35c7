/** `shinykit plan`: the offline main job (see cli/plan/index.ts). */
import { Command, InvalidArgumentError } from 'commander';
import { compareWithDeployed } from '../plan/deployed.js';
import { formatPlan, runPlan } from '../plan/index.js';
import { createContext, type CommandContext } from '../lib/context.js';
import type { DeployedComparison } from '../plan/deployed.js';
import type { SynthesizedStack } from '../plan/synth.js';

export function planCommand(): Command {
  return new Command('plan')
    .description(
      'validate, synthesize, and show resources, exposure, estimated cost and a config preview (offline); with AWS credentials, also what the deploy would change, lose or fail on in the running kit (read-only)',
    )
    .option('--json', 'print the plan as JSON')
    .option('--mau <n>', 'monthly active users for the Cognito cost estimate', parseMau, 50)
    .option('--prices <file>', 'price table to estimate with (default: the bundled assets/pricing/prices.json)')
    .option('--no-preview', 'leave out the rendered nginx and ShinyProxy config preview')
    .option('--offline', 'do not compare with the deployed stacks, even when AWS credentials are available')
    .action(async (opts: { json?: boolean; mau: number; prices?: string; preview: boolean; offline?: boolean }, cmd: Command) => {
      const ctx = createContext(cmd);
      const config = ctx.config(); // a ConfigError here exits 2 with every problem listed
      const result = await runPlan({
        config,
        configFile: ctx.options.config,
        mau: opts.mau,
        pricesFile: opts.prices,
        region: ctx.options.region,
        preview: opts.preview,
        progress: (line) => ctx.out.info(line),
        deployed: opts.offline ? undefined : (stacks) => compareDeployed(ctx, stacks),
      });
      if (opts.json) ctx.out.json(result);
      else ctx.out.result(formatPlan(result));
    });
}

/**
 * Compare only when credentials resolve: they are looked up locally first (env,
 * profile files, SSO cache), so without any plan stays offline and makes no call.
 */
async function compareDeployed(ctx: CommandContext, stacks: readonly SynthesizedStack[]): Promise<DeployedComparison> {
  let clients;
  try {
    clients = await ctx.aws();
    await clients.cloudformation().config.credentials();
    await clients.cloudformation().config.region();
  } catch (err) {
    const text = `${(err as Error).name}: ${(err as Error).message}`;
    return {
      compared: false,
      reason: /Region is missing/i.test(text)
        ? 'no AWS region (set region in shinykit.yaml, --region or AWS_REGION)'
        : 'no AWS credentials found (with --profile, AWS_PROFILE or `aws sso login`, plan also compares with the deployed stacks)',
    };
  }
  ctx.out.info('Comparing with the deployed stacks (read-only)...');
  const c = clients;
  return compareWithDeployed(stacks, { cloudformation: () => c.cloudformation(), cognito: () => c.cognito(), ecr: () => c.ecr() });
}

function parseMau(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number of monthly active users, such as 50');
  return Number(value);
}
