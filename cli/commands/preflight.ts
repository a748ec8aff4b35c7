/**
 * `shinykit preflight`: predict deploy failures before `cdk deploy`, read-only, one line per
 * check (the checks: cli/preflight/checks.ts). `deploy` runs the same checks first.
 */
import { dirname, resolve } from 'node:path';
import { Command } from 'commander';
import { stackNames } from '../../lib/outputs.js';
import type { CheckResult } from '../doctor/checks.js';
import { formatDoctor } from '../doctor/index.js';
import { sdk } from '../lib/aws.js';
import { createContext, type CommandContext } from '../lib/context.js';
import { ExitCode, QuietExit, UsageError, WorkError } from '../lib/errors.js';
import { synthesize } from '../plan/synth.js';
import { deployFacts } from '../preflight/facts.js';
import { PREFLIGHT_CHECKS, readKitState, type KitState, type PreflightCheck, type PreflightDeps } from '../preflight/checks.js';
import { awsFix, describeError, preflightReportOf, type PreflightReport } from '../preflight/report.js';

export function preflightCommand(): Command {
  return new Command('preflight')
    .description(
      'read-only, with your AWS credentials: check what would make `cdk deploy` fail (bootstrap, Cognito domain, Elastic IP quota, instance type, leftovers, secrets, hosted zone, ECS role)',
    )
    .option('--json', 'print the results as JSON')
    .option('--toolkit-stack-name <name>', 'the CDK bootstrap stack, if `cdk bootstrap` was given another name', 'CDKToolkit')
    .action(async (opts: { json?: boolean; toolkitStackName: string }, cmd: Command) => {
      const ctx = createContext(cmd);
      const report = await preflightReport(ctx, { toolkitStackName: opts.toolkitStackName, quiet: opts.json });
      if (opts.json) ctx.out.json(report);
      else ctx.out.result(formatDoctor(report, ctx.out.color));
      if (!report.ok) {
        throw opts.json
          ? new QuietExit(ExitCode.Failure)
          : new WorkError(`${report.failed} check(s) failed: \`cdk deploy\` would fail; apply the fixes above and run preflight again`);
      }
    });
}

/** The checks, for `preflight` and for `deploy`, which runs them before anything else. */
export async function preflightReport(ctx: CommandContext, opts: { toolkitStackName?: string; quiet?: boolean } = {}): Promise<PreflightReport> {
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
  if (!opts.quiet) ctx.out.info(`Synthesizing the stacks offline to see what the deploy needs...`);
  // Only the templates' shape is read here: the slow built-in validation is for `cdk synth`.
  const stacks = await synthesize(config, { configDir: dirname(resolve(ctx.options.config)) });
  const report = await runPreflight({
    config,
    region,
    facts: deployFacts(stacks, stackNames(config).host),
    toolkitStackName: opts.toolkitStackName ?? 'CDKToolkit',
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
  return report;
}

/**
 * Runs the checks (cli/preflight/checks.ts) with the user's credentials; without a working
 * identity only that is reported and the rest skipped.
 */
export async function runPreflight(deps: PreflightDeps, checks: readonly PreflightCheck[] = PREFLIGHT_CHECKS): Promise<PreflightReport> {
  const results: CheckResult[] = [];
  const selected = checks.filter((c) => c.when?.(deps.config) ?? true);
  let kit: KitState | undefined;
  let account: string | undefined;
  try {
    account = (await deps.sts().send(new (sdk.sts().GetCallerIdentityCommand)({}))).Account ?? '';
    kit = await readKitState(deps, account);
    const deployed = [...kit.stacks.keys()];
    results.push({
      id: 'credentials',
      title: 'AWS credentials and target',
      status: 'ok',
      detail: `account ${account}, region ${deps.region}; ${deployed.length ? `deployed stacks: ${deployed.join(', ')}` : 'the kit is not deployed yet'}`,
    });
  } catch (err) {
    // Without an identity nothing else can be checked: say so once, skip the rest.
    results.push({ id: 'credentials', title: 'AWS credentials and target', status: 'fail', detail: describeError(err), fix: awsFix(err) });
    for (const c of selected) results.push({ id: c.id, title: c.title, status: 'skip', detail: 'needs working credentials (see the first check)' });
    return preflightReportOf(results, deps.region, account);
  }
  for (const check of selected) {
    let r: Omit<CheckResult, 'id' | 'title'>;
    try {
      r = await check.run(deps, kit);
    } catch (err) {
      r = { status: 'fail', detail: describeError(err), fix: awsFix(err) };
    }
    results.push({ id: check.id, title: check.title, ...r });
  }
  return preflightReportOf(results, deps.region, account);
}
