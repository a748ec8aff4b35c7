/** `shinykit plan`: the offline main job (see cli/plan/index.ts). */
import { Command, InvalidArgumentError } from 'commander';
import { compareWithDeployed } from '../plan/deployed.js';
import { formatPlan, runPlan } from '../plan/index.js';
import { deployRegion } from '../lib/aws-profile.js';
import { loadCheckedConfig } from '../lib/config-files.js';
import { createContext, type CommandContext } from '../lib/context.js';
import type { DeployedComparison } from '../plan/deployed.js';
import type { SynthesizedStack } from '../plan/synth.js';
import { ExitCode, plural, QuietExit, UsageError } from '../lib/errors.js';
import { deployedMfaMode } from '../plan/identity.js';

export function planCommand(): Command {
  return new Command('plan')
    .description(
      'validate, synthesize, and summarize resources, access, exposure and estimated cost (offline, no credentials needed); with AWS credentials, also what the deploy would change, lose or fail on in the running kit (read-only)',
    )
    .option('--json', 'print the plan as JSON')
    .option('--mau <n>', 'monthly active users for the Cognito cost estimate', parseMau, 50)
    .option('--prices <file>', 'price table to estimate with (default: the bundled assets/pricing/prices.json)')
    .option('--preview', 'also print the rendered nginx and ShinyProxy configs (with placeholder values); --json includes them unless --no-preview')
    .option('--no-preview', 'leave the rendered configs out of --json')
    .option('--offline', 'do not compare with the deployed stacks, even when AWS credentials are available')
    .option('--strict', 'fail (exit 2) on warnings too, not only on errors: for CI')
    .action(async (opts: { json?: boolean; mau: number; prices?: string; preview?: boolean; strict?: boolean; offline?: boolean }, cmd: Command) => {
      const ctx = createContext(cmd);
      // The schema and the files it names (build contexts, Dockerfiles): a ConfigError exits 2 with every problem.
      const config = loadCheckedConfig(ctx.options.config);
      const region = deployRegion({ flag: ctx.options.region, configRegion: config.region, profile: ctx.options.profile });
      if (config.region && ctx.options.region && ctx.options.region !== config.region) {
        ctx.out.warn(`shinykit.yaml pins region ${config.region}: the stacks deploy there, so plan ignores --region ${ctx.options.region}`);
      }
      const result = await runPlan({
        config,
        configFile: ctx.options.config,
        mau: opts.mau,
        pricesFile: opts.prices,
        region: region.region,
        regionSource: region.source,
        preview: opts.json ? opts.preview !== false : opts.preview === true,
        progress: (step) => ctx.out.status(`plan: ${step}`),
        deployed: opts.offline ? undefined : (stacks) => compareDeployed(ctx, stacks),
        deployedMfa: deployedMfaMode(config, ctx.options.outputs),
      });
      ctx.out.status(undefined);
      if (opts.json) ctx.out.json(result);
      else ctx.out.result(formatPlan(result));
      const errors = result.findings.filter((f) => f.level === 'error').length;
      const warnings = result.findings.length - errors;
      if (errors > 0 || (opts.strict && warnings > 0)) {
        if (opts.json) throw new QuietExit(ExitCode.Usage);
        const what = errors > 0 ? plural(errors, 'error') + (opts.strict && warnings ? ` and ${plural(warnings, 'warning')}` : '') : plural(warnings, 'warning');
        throw new UsageError(`plan found ${what}${errors === 0 ? ' (--strict)' : ''}: see "Problems" above`, {
          hint: 'fix them in shinykit.yaml (or the price table) and run `shinykit plan` again',
        });
      }
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
