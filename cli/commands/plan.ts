/** `shinykit plan`: the offline main job (see cli/plan/index.ts). */
import { Command, InvalidArgumentError } from 'commander';
import { formatPlan, runPlan } from '../plan/index.js';
import { deployedMfaMode } from '../plan/identity.js';
import { createContext } from '../lib/context.js';

export function planCommand(): Command {
  return new Command('plan')
    .description('offline, no credentials: validate, synthesize, and show resources, exposure, estimated cost and a config preview')
    .option('--json', 'print the plan as JSON')
    .option('--mau <n>', 'monthly active users for the Cognito cost estimate', parseMau, 50)
    .option('--prices <file>', 'price table to estimate with (default: the bundled assets/pricing/prices.json)')
    .option('--no-preview', 'leave out the rendered nginx and ShinyProxy config preview')
    .action(async (opts: { json?: boolean; mau: number; prices?: string; preview: boolean }, cmd: Command) => {
      const ctx = createContext(cmd);
      const config = ctx.config(); // a ConfigError here exits 2 with every problem listed
      const result = await runPlan({
        config,
        configFile: ctx.options.config,
        mau: opts.mau,
        pricesFile: opts.prices,
        region: ctx.options.region,
        preview: opts.preview,
        deployedMfa: deployedMfaMode(config, ctx.options.outputs),
        progress: (line) => ctx.out.info(line),
      });
      if (opts.json) ctx.out.json(result);
      else ctx.out.result(formatPlan(result));
    });
}

function parseMau(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number of monthly active users, such as 50');
  return Number(value);
}
