/** `shinykit preflight`: predict deploy failures before `cdk deploy` (see cli/preflight/checks.ts). */
import { dirname, resolve } from 'node:path';
import { Command } from 'commander';
import { stackNames } from '../../lib/outputs.js';
import { formatDoctor } from '../doctor/index.js';
import { createContext } from '../lib/context.js';
import { ExitCode, ShinykitError, UsageError, WorkError } from '../lib/errors.js';
import { synthesize } from '../plan/synth.js';
import { deployFacts } from '../preflight/facts.js';
import { runPreflight } from '../preflight/index.js';

export function preflightCommand(): Command {
  return new Command('preflight')
    .description(
      'read-only, with your AWS credentials: check what would make `cdk deploy` fail (bootstrap, Cognito domain, Elastic IP quota, instance type, leftovers, secrets, hosted zone, ECS role)',
    )
    .option('--json', 'print the results as JSON')
    .option('--toolkit-stack-name <name>', 'the CDK bootstrap stack, if `cdk bootstrap` was given another name', 'CDKToolkit')
    .action(async (opts: { json?: boolean; toolkitStackName: string }, cmd: Command) => {
      const ctx = createContext(cmd);
      const config = ctx.config(); // a ConfigError here exits 2 with every problem listed
      const clients = await ctx.aws();
      let region: string | undefined;
      try {
        region = await clients.sts().config.region();
      } catch {
        region = undefined;
      }
      if (!region) {
        throw new UsageError('no AWS region to check', { hint: 'set region in shinykit.yaml, pass --region, or set AWS_REGION' });
      }
      if (!opts.json) ctx.out.info(`Synthesizing the stacks offline to see what the deploy needs...`);
      // Only the templates' shape is read here: the slow built-in validation is for `cdk synth`.
      const stacks = await synthesize(config, { configDir: dirname(resolve(ctx.options.config)), builtinValidation: false });
      const report = await runPreflight({
        config,
        region,
        facts: deployFacts(stacks, stackNames(config).host),
        toolkitStackName: opts.toolkitStackName,
        sts: () => clients.sts(),
        cloudformation: () => clients.cloudformation(),
        ssm: () => clients.ssm(),
        cognito: () => clients.cognito(),
        ec2: () => clients.ec2(),
        ecr: () => clients.ecr(),
        secretsManager: () => clients.secretsManager(),
        route53: () => clients.route53(),
        iam: () => clients.iam(),
      });
      if (opts.json) ctx.out.json(report);
      else ctx.out.result(formatDoctor(report, ctx.out.color));
      if (!report.ok) {
        throw opts.json
          ? new ShinykitError('', ExitCode.Failure)
          : new WorkError(`${report.failed} check(s) failed: \`cdk deploy\` would fail; apply the fixes above and run preflight again`);
      }
    });
}
