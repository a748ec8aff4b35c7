/** `shinykit plan`: the offline main job (see cli/plan/index.ts). */
import { Command, InvalidArgumentError } from 'commander';
import { formatPlan, runPlan } from '../plan/index.js';
import { deployRegion } from '../lib/aws-profile.js';
import { loadCheckedConfig } from '../lib/config-files.js';
import { createContext } from '../lib/context.js';
import { ExitCode, plural, ShinykitError, UsageError } from '../lib/errors.js';

export function planCommand(): Command {
  return new Command('plan')
    .description('offline, no credentials: validate, synthesize, and summarize resources, access, exposure and estimated cost')
    .option('--json', 'print the plan as JSON')
    .option('--mau <n>', 'monthly active users for the Cognito cost estimate', parseMau, 50)
    .option('--prices <file>', 'price table to estimate with (default: the bundled assets/pricing/prices.json)')
    .option('--preview', 'also print the rendered nginx and ShinyProxy configs (with placeholder values); --json includes them unless --no-preview')
    .option('--no-preview', 'leave the rendered configs out of --json')
    .option('--strict', 'fail (exit 2) on warnings too, not only on errors: for CI')
    .action(async (opts: { json?: boolean; mau: number; prices?: string; preview?: boolean; strict?: boolean }, cmd: Command) => {
      const ctx = createContext(cmd);
      // The schema and the files it names (build contexts, Dockerfiles): a ConfigError exits 2 with every problem.
      const config = loadCheckedConfig(ctx.options.config);
      const region = deployRegion({ flag: ctx.options.region, configRegion: config.region, profile: ctx.options.profile });
      if (config.region && ctx.options.region && ctx.options.region !== config.region) {
        ctx.out.warn(`shinykit.yaml pins region ${config.region}: the stacks deploy there, so plan ignores --region ${ctx.options.region}`);
      }
      const status = ctx.out.status?.bind(ctx.out);
      const result = await runPlan({
        config,
        configFile: ctx.options.config,
        mau: opts.mau,
        pricesFile: opts.prices,
        region: region.region,
        regionSource: region.source,
        preview: opts.json ? opts.preview !== false : opts.preview === true,
        progress: status ? (step) => status(`plan: ${step}`) : undefined,
      });
      status?.(undefined);
      if (opts.json) ctx.out.json(result);
      else ctx.out.result(formatPlan(result));
      const errors = result.findings.filter((f) => f.level === 'error').length;
      const warnings = result.findings.length - errors;
      if (errors > 0 || (opts.strict && warnings > 0)) {
        if (opts.json) throw new ShinykitError('', ExitCode.Usage);
        const what = errors > 0 ? plural(errors, 'error') + (opts.strict && warnings ? ` and ${plural(warnings, 'warning')}` : '') : plural(warnings, 'warning');
        throw new UsageError(`plan found ${what}${errors === 0 ? ' (--strict)' : ''}: see "Problems" above`, {
          hint: 'fix them in shinykit.yaml (or the price table) and run `shinykit plan` again',
        });
      }
    });
}

function parseMau(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number of monthly active users, such as 50');
  return Number(value);
}
