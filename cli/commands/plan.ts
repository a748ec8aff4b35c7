/**
 * `shinykit plan`: everything knowable before deploying, offline and without
 * credentials; with them, also what the deploy would change in the running kit.
 * `runPlan` returns data; `formatPlan` (cli/plan/report.ts) prints it. Helpers: cli/plan/.
 */
import { dirname, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import type { Config } from '../../lib/config/index.js';
import type { MfaMode } from '../../lib/mfa.js';
import { stackNames } from '../../lib/outputs.js';
import { checkAppInputs } from '../plan/apps.js';
import { describeCapacity } from '../plan/capacity.js';
import { estimateCost } from '../plan/cost.js';
import { compareWithDeployed } from '../plan/deployed.js';
import { describeExposure } from '../plan/exposure.js';
import { describeHostSoftware } from '../plan/host-software.js';
import { describeIdentityPlan } from '../plan/identity.js';
import { defaultPricesFile, loadPrices } from '../plan/prices.js';
import { previewConfigs } from '../plan/preview.js';
import { coversPort, formatPlan, rememberSections, type PlanResult } from '../plan/report.js';
import { summarizeResources } from '../plan/resources.js';
import { collectSections, PLAN_SECTIONS, type PlanFinding, type PlanSection } from '../plan/sections.js';
import { describeSignInDomain } from '../plan/sign-in-domain.js';
import { synthesize } from '../plan/synth.js';
import { describeTls } from '../plan/tls.js';
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
      const region = deployRegion({ flag: ctx.options.region, configRegion: config.region, profile: ctx.options.profile }, ctx.env);
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

export interface PlanOptions {
  readonly config: Config;
  readonly configFile: string;
  /** Monthly active users for the Cognito estimate. */
  readonly mau: number;
  readonly pricesFile?: string;
  /** The region the stacks deploy to (cli/lib/aws-profile.ts deployRegion), and where that came from. */
  readonly region?: string;
  readonly regionSource?: string;
  /** Keep the rendered configs in the result (they are always rendered, to catch render errors). */
  readonly preview?: boolean;
  /** Progress steps (the command shows them on a terminal). */
  readonly progress?: (step: string) => void;
  /** The deployed pool's MFA mode (cli/plan/identity.ts reads it from the outputs file). */
  readonly deployedMfa?: MfaMode;
  /** Injected in unit tests to skip the (slow) synthesis. */
  readonly synth?: (cfg: Config, progress?: (step: string) => void) => Promise<SynthesizedStack[]>;
  /** Sections other modules add; PLAN_SECTIONS by default. */
  readonly sections?: readonly PlanSection[];
  /** Compares with the deployed stacks (cli/plan/deployed.ts); absent: offline, not compared. */
  readonly deployed?: (stacks: readonly SynthesizedStack[]) => Promise<DeployedComparison>;
}

export async function runPlan(opts: PlanOptions): Promise<PlanResult> {
  const cfg = opts.config;
  const configDir = dirname(resolve(opts.configFile));
  const pricesFile = opts.pricesFile ?? defaultPricesFile();
  const prices = loadPrices(pricesFile); // before the slow part: a bad table fails fast
  opts.progress?.(`synthesizing the ${Object.values(stackNames(cfg)).join(' and ')} stacks`);
  const stacks = await (opts.synth ?? ((c, p) => synthesize(c, { configDir, progress: p })))(cfg, opts.progress);
  opts.progress?.('summarizing');
  const templates = stacks.map((s) => s.template);
  const region = opts.region ?? cfg.region;
  const cost = estimateCost({ config: cfg, templates, prices, pricesFile, mau: opts.mau, region });
  // The preview uses the priced region, so its Cognito and ECR addresses agree with the prices.
  const preview = previewConfigs(cfg, cost.priceRegion);
  const exposure = describeExposure(cfg, templates);
  const apps = checkAppInputs(cfg, configDir);
  const hostSoftware = describeHostSoftware(cfg);
  const capacity = describeCapacity(cfg);
  const messages = stacks.flatMap((s) => s.messages);
  const deployed: DeployedComparison = opts.deployed ? await opts.deployed(stacks) : { compared: false, reason: 'offline (--offline)' };
  const extra = await collectSections({ config: cfg, configFile: opts.configFile, configDir, stacks, templates, region, mau: opts.mau }, opts.sections ?? PLAN_SECTIONS);

  const findings: PlanFinding[] = [
    ...apps.flatMap((a) => a.problems.map((p) => ({ level: 'error' as const, source: 'apps', message: `${a.id}: ${p}; \`shinykit push\` would fail` }))),
    ...messages.map((m) => ({ level: m.level === 'error' ? ('error' as const) : ('warning' as const), source: 'CDK', message: `${m.path}: ${m.text}` })),
    ...(preview.problems ?? []).map((p) => ({ level: 'error' as const, source: 'host configs', message: `cannot render (apply would fail the same way): ${p}` })),
    ...cost.warnings.map((w) => ({ level: 'warning' as const, source: 'cost', message: w })),
    ...(hostSoftware.checksumPin === 'none'
      ? [{ level: 'warning' as const, source: 'host software', message: `no SHA-256 is pinned for ShinyProxy ${hostSoftware.shinyproxyVersion}: set shinyproxy.sha256 to the sha256sum of ${hostSoftware.downloadUrl}` }]
      : []),
    ...exposure.ingress
      .filter((r) => r.anywhere && coversPort(r, 22))
      .map(() => ({ level: 'warning' as const, source: 'network', message: 'SSH (port 22) is open to the whole internet (host.allowSshFromAnywhere); prefer your own address in host.sshCidr, or SSM Session Manager' })),
    ...(region ? [] : [{ level: 'warning' as const, source: 'region', message: 'no region is known: set region in shinykit.yaml (or AWS_REGION, or a region in your AWS profile), or `cdk deploy` will not know where to deploy' }]),
    // A change CloudFormation or Cognito refuses fails the deploy halfway: an error. Data loss and
    // disruption may be intended (removing an app), so they warn, and fail only with --strict.
    ...(deployed.compared
      ? deployed.findings.map((f) => ({ level: f.kind === 'refused' ? ('error' as const) : ('warning' as const), source: 'deployed kit', message: f.summary + (f.safePath ? ` (safer: ${f.safePath})` : '') }))
      : []),
    ...capacity.warnings.map((w) => ({ level: 'warning' as const, source: 'host capacity', message: w })),
    ...extra.flatMap(({ section, data }) => section.findings?.(data) ?? []),
  ];

  const result: PlanResult = {
    project: cfg.name,
    configFile: opts.configFile,
    site: cfg.domain ? `https://${cfg.domain}/` : `${describeTls(cfg).site} (the address is allocated at deploy time)`,
    region: { name: region, source: opts.regionSource ?? (cfg.region ? 'shinykit.yaml (region)' : 'none'), priced: cost.priceRegion },
    signIn: describeSignInDomain(cfg),
    stacks: stacks.map((s) => summarizeResources(s.name, s.template)),
    exposure,
    cost,
    ...(opts.preview ? { preview } : {}),
    apps,
    hostSoftware,
    messages,
    deployed,
    findings,
    sections: Object.fromEntries(extra.map(({ section, data }) => [section.key, data])),
    identity: describeIdentityPlan(cfg, opts.deployedMfa),
    capacity,
    tls: describeTls(cfg),
  };
  rememberSections(result, extra);
  return result;
}
