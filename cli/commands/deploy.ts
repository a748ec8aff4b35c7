/**
 * `shinykit deploy`: preflight, then the pinned CDK CLI (`cdk deploy --all`, the
 * outputs file beside shinykit.yaml), then the site's address and what to do next.
 */
import { Command, Option } from 'commander';
import { resolve } from 'node:path';
import type { Config } from '../../lib/config/index.js';
import { OutputKeys, stackNames } from '../../lib/outputs.js';
import { cdkInvocation, runCdk } from '../lib/cdk.js';
import { createContext, type CommandContext } from '../lib/context.js';
import { UsageError, WorkError } from '../lib/errors.js';
import type { Runner } from '../lib/exec.js';
import { readOutputsFile, type StackOutputs } from '../lib/stack-outputs.js';

export const APPROVAL_LEVELS = ['broadening', 'any-change', 'never'] as const;
export type ApprovalLevel = (typeof APPROVAL_LEVELS)[number];

export interface DeployOptions {
  /** Passed to `cdk deploy --require-approval`; `--yes` means `never`. */
  readonly requireApproval: ApprovalLevel;
  /** Leave out the preflight checks. @default false */
  readonly skipPreflight?: boolean;
}

export interface DeployDeps {
  readonly runner?: Runner;
  /** The preflight checks; one call, so deploy stops before touching AWS when they fail. */
  readonly preflight?: (ctx: CommandContext) => Promise<void>;
  /** Whether someone can answer cdk's approval question. @default the I/O host's canPrompt (stdin and stderr are terminals) */
  readonly interactive?: boolean;
}

export interface DeployResult {
  readonly siteUrl: string;
  readonly loginUrl?: string;
  readonly outputsFile: string;
  readonly nextSteps: readonly string[];
}

/**
 * `shinykit preflight`'s checks (read-only), printed as that command prints them: a deploy
 * they predict to fail stops here, before CloudFormation creates anything half-way.
 */
async function preflightChecks(ctx: CommandContext): Promise<void> {
  const { preflightReport } = await import('./preflight.js');
  const { formatDoctor } = await import('../doctor/index.js');
  ctx.out.info('Checking the account before deploying (`shinykit preflight`, read-only)...');
  const report = await preflightReport(ctx);
  ctx.out.info(formatDoctor(report, ctx.out.color));
  if (!report.ok) {
    throw new WorkError(`${report.failed} preflight check(s) failed, so the deploy would fail: nothing was deployed`, {
      hint: 'apply the fixes above and run `npx shinykit deploy` again',
    });
  }
}

export async function runDeploy(opts: DeployOptions, ctx: CommandContext, deps: DeployDeps = {}): Promise<DeployResult> {
  const cfg = ctx.config();
  const interactive = deps.interactive ?? ctx.out.canPrompt;
  if (opts.requireApproval !== 'never' && !interactive) {
    throw new UsageError('cdk deploy asks before it adds IAM permissions or opens ports, but no one is at a terminal to answer', {
      hint: 'run it in a terminal, or pass --yes (same as --require-approval never) to deploy without asking',
    });
  }
  if (!opts.skipPreflight) await (deps.preflight ?? preflightChecks)(ctx);

  if (opts.requireApproval !== 'never') for (const line of approvalExplanation(cfg)) ctx.out.info(line);
  // cdk runs in the project folder: give it the outputs path as it is from here.
  const outputsFile = resolve(ctx.options.outputs);
  ctx.out.info(`Deploying ${Object.values(stackNames(cfg)).join(' and ')} with the CDK CLI (a first deploy takes about 10 minutes)...`);
  await runCdk(cdkInvocation('deploy', ctx.options, ['--require-approval', opts.requireApproval, '--outputs-file', outputsFile], { env: ctx.env }), deps.runner);

  const outputs = readOutputsFile(outputsFile, Object.values(stackNames(cfg)));
  if (!outputs) {
    throw new WorkError(`cdk deploy finished but wrote no ${ctx.options.outputs}`, {
      hint: 'run `npx shinykit deploy` again; the stacks are deployed, so it only writes the outputs',
    });
  }
  return summary(cfg, outputs, ctx.options.outputs);
}

/** What cdk is about to ask, and why the answer for shinykit is normally yes. */
export function approvalExplanation(cfg: Config): string[] {
  const ports = ['443 (HTTPS) and 80 (redirect to HTTPS, certificate checks) from anywhere'];
  if (cfg.host.sshCidr) ports.push(`22 (SSH) from ${cfg.host.sshCidr} only`);
  return [
    'Before it changes anything, cdk lists the IAM permissions and security-group rules this deploy',
    'adds and asks "Do you wish to deploy these changes (y/n)?". For shinykit they are:',
    `  - IAM: the host's role may pull images from the ${cfg.name}/* ECR repositories, read its settings`,
    `    below /shinykit/${cfg.name}/, read its own Cognito app client and use SSM;${cfg.backend === 'ecs' ? ' roles for the ECS app tasks;' : ''}`,
    '    service roles for the small helper functions CloudFormation runs.',
    `  - Network: inbound ${ports.join('; ')}.`,
    'Answer y to deploy. Anything else in that list is not from shinykit: answer n and look first.',
    '',
  ];
}

function summary(cfg: Config, outputs: StackOutputs, outputsFile: string): DeployResult {
  const siteUrl = outputs.get(OutputKeys.SiteUrl);
  const loginUrl = outputs.find(OutputKeys.CognitoDomainUrl);
  const group = cfg.shinyproxy.adminGroups?.[0] ?? cfg.apps[0]?.groups[0] ?? Object.keys(cfg.cognito.groups)[0] ?? 'GROUP';
  const nextSteps: string[] = [];
  if (cfg.domain && !cfg.hostedZone) {
    nextSteps.push(
      `At your DNS provider, create an A record: ${cfg.domain} -> ${outputs.find(OutputKeys.HostPublicIp) ?? 'the HostPublicIp output'}` +
        ' (the host gets its certificate once the name resolves)',
    );
  }
  nextSteps.push(
    'npx shinykit push                        # build the app images, push them, roll them out',
    `npx shinykit users add you@example.org --group ${group}   # Cognito emails a temporary password`,
    'npx shinykit open                        # the site; sign in there',
  );
  return { siteUrl, loginUrl, outputsFile, nextSteps };
}

export function formatDeploy(r: DeployResult): string {
  return [
    `Site:   ${r.siteUrl}`,
    ...(r.loginUrl ? [`Login:  ${r.loginUrl} (Cognito's sign-in page; the site sends you there)`] : []),
    `Stack outputs saved to ${r.outputsFile}.`,
    '',
    'Next:',
    ...r.nextSteps.map((s) => `  ${s}`),
  ].join('\n');
}

export function deployCommand(): Command {
  return new Command('deploy')
    .description('check, then create or update the stacks with the CDK CLI; prints the site URL and next steps')
    .addOption(
      new Option('--require-approval <level>', 'when cdk asks before deploying: broadening (IAM or network access grows), any-change, never')
        .choices(APPROVAL_LEVELS)
        .default('broadening'),
    )
    .option('-y, --yes', 'do not ask (same as --require-approval never); needed when not run from a terminal')
    .option('--skip-preflight', 'do not run the read-only `shinykit preflight` checks first (e.g. when a CI step just ran them)')
    .action(async (opts: { requireApproval: ApprovalLevel; yes?: boolean; skipPreflight?: boolean }, cmd: Command) => {
      const ctx = createContext(cmd);
      const result = await runDeploy({ requireApproval: opts.yes ? 'never' : opts.requireApproval, skipPreflight: opts.skipPreflight }, ctx);
      ctx.out.result(formatDeploy(result));
    });
}
