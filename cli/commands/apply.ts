/**
 * `shinykit apply`: render the host's nginx snippet and application.yml, hand
 * them to the host through Parameter Store, and have the host switch to them
 * with an SSM Run Command (no SSH). The host checks, swaps and rolls back by
 * itself (assets/host/shinykit-apply.sh); this side shows what it said and
 * exits 1 when it kept the previous config.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { GetParameterCommand, type GetCommandInvocationCommandOutput, type SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { Command } from 'commander';
import { parameterPrefix, ExtraOutputKeys, OutputKeys } from '../../lib/outputs.js';
import { RENDER_FILES } from '../../lib/render/index.js';
import { readSet, writeSet, type ConfigFiles } from '../apply/config-set.js';
import { unifiedDiff } from '../apply/diff.js';
import { createContext, type CommandContext } from '../lib/context.js';
import { UsageError, WorkError } from '../lib/errors.js';
import { runHostCommand, sendHostCommand, waitForHostCommand } from '../lib/host-command.js';
import { HOST_STATUS_COMMAND, parseHostReport } from '../status/index.js';
import { renderForDeployment } from '../lib/render-inputs.js';

/** The host command the Run Command executes (installed by the bootstrap). */
export const HOST_DELIVER_COMMAND = '/usr/local/sbin/shinykit-deliver candidate';

export interface ApplyOptions {
  /** Show the diff against the config the host last accepted; write nothing. */
  readonly dryRun?: boolean;
  /** Leave apps without a pushed image out instead of failing. */
  readonly allowMissingImages?: boolean;
  /** Restart ShinyProxy even though sessions are open (they end). */
  readonly yes?: boolean;
  /** Wait until the open sessions have ended before restarting. */
  readonly waitForSessions?: boolean;
  /** Asks what to do about open sessions (a terminal); absent: not interactive. */
  readonly ask?: (question: string) => Promise<'wait' | 'proceed' | 'cancel'>;
}

/** How long the host may take to apply (image pulls can be slow); we wait a minute longer. */
const HOST_TIMEOUT_SECONDS = 900;
/** How long --wait-for-sessions waits for open sessions to end before giving up. */
const SESSION_WAIT_SECONDS = 3600;

export type ApplyStatus = 'dry-run' | 'applied' | 'unchanged';

export interface ApplyResult {
  readonly status: ApplyStatus;
  readonly instanceId: string;
  readonly parameterPrefix: string;
  /** Files that differ from the config the host last accepted. */
  readonly changedFiles: string[];
  /** Unified diff against that config ('' when nothing changed). */
  readonly diff: string;
  readonly commandId?: string;
  /** The last lines the host printed. */
  readonly hostOutput: string[];
  /** App id → image reference by digest, as rendered. */
  readonly images: Record<string, string>;
}

/** The host refused the config and kept (or tried to keep) the previous one: exit 1. */
export class HostRejectedError extends WorkError {
  constructor(
    message: string,
    readonly commandId: string,
    readonly hostOutput: string[],
    hint: string,
  ) {
    super(message, { details: hostOutput, hint });
  }
}

const TAIL_LINES = 40;

export async function runApply(opts: ApplyOptions, ctx: CommandContext): Promise<ApplyResult> {
  const cfg = ctx.config();
  const outputs = await ctx.outputs();
  const instanceId = outputs.get(OutputKeys.HostInstanceId);
  const prefix = outputs.find(ExtraOutputKeys.ConfigParameterPrefix) ?? parameterPrefix(cfg);
  const ssm = (await ctx.aws()).ssm();
  const nginxVersion = await hostNginxVersion(ssm, prefix);
  const { files: rendered, images } = await renderForDeployment(ctx, { allowMissingImages: opts.allowMissingImages, nginxVersion });
  const files: ConfigFiles = { [RENDER_FILES.nginx]: rendered.nginx, [RENDER_FILES.application]: rendered.application };

  const current = (await readSet(ssm, prefix, 'config')) ?? {};
  const changedFiles = Object.keys(files).filter((f) => current[f] !== files[f]);
  const diff = Object.keys(files)
    .map((f) =>
      unifiedDiff(current[f] ?? '', files[f]!, {
        a: current[f] === undefined ? '/dev/null' : `host/${f}`,
        b: `rendered/${f}`,
      }),
    )
    .join('');
  const base = { instanceId, parameterPrefix: prefix, changedFiles, diff, images };
  if (opts.dryRun) return { ...base, status: 'dry-run', hostOutput: [] };

  if (changedFiles.includes(RENDER_FILES.application) && cfg.backend === 'docker') {
    await settleSessions(ctx, instanceId, opts);
  }

  ctx.out.info(`writing ${Object.keys(files).join(' and ')} below ${prefix}candidate/`);
  const meta = { createdAt: new Date().toISOString(), createdBy: await callerArn(ctx) };
  await writeSet(ssm, prefix, 'candidate', files, meta);

  ctx.out.info(`asking host ${instanceId} to check and switch to them (SSM Run Command)`);
  const commandId = await sendHostCommand(ssm, instanceId, {
    command: HOST_DELIVER_COMMAND,
    comment: 'shinykit apply: check and switch to the delivered config',
    executionTimeoutSeconds: HOST_TIMEOUT_SECONDS,
    pickupTimeoutSeconds: 600,
  });
  const waitSeconds = HOST_TIMEOUT_SECONDS + 60;
  const invocation = await waitForHostCommand(ssm, commandId, instanceId, {
    pollMs: ctx.timing.applyPollMs,
    timeoutSeconds: waitSeconds,
    onStatus: (status) => ctx.out.step(`host: ${status}`),
    timedOut: () =>
      new WorkError(`host ${instanceId} did not finish applying within ${waitSeconds} s`, {
        hint: `the command (${commandId}) may still be running; check the host status parameter and docs/host.md`,
      }),
  });
  ctx.out.status(undefined);
  const hostOutput = tailOf(invocation);
  const status = invocation.Status ?? 'Unknown';

  if (status !== 'Success') {
    const code = invocation.ResponseCode;
    const verdict = resultLine(hostOutput);
    if (status === 'Failed' && code === 3) {
      throw new HostRejectedError(
        `host ${instanceId} rejected the new config and could not bring the previous one back up${verdict ? `: ${verdict}` : ''}`,
        commandId,
        hostOutput,
        'the host needs attention: see docs/host.md ("Recovering") and the host status parameter ' + `${prefix}status/last-apply`,
      );
    }
    if (status === 'Failed' && code === 1) {
      throw new HostRejectedError(
        `host ${instanceId} rejected the new config and kept the previous one${verdict ? `: ${verdict}` : ''}`,
        commandId,
        hostOutput,
        'fix the cause shown above, then run `shinykit apply` again (`shinykit render --out <dir>` shows the files)',
      );
    }
    throw new HostRejectedError(
      `the config delivery on host ${instanceId} ended with status ${status}${code !== undefined && code >= 0 ? ` (exit code ${code})` : ''}`,
      commandId,
      hostOutput,
      `see the command's output in the SSM console (command ${commandId}) and docs/host.md`,
    );
  }

  // The host accepted it: this is now the config a reboot or a new instance re-applies.
  await writeSet(ssm, prefix, 'config', files, meta);
  const unchanged = /RESULT: unchanged/.test(hostOutput.join('\n'));
  return { ...base, status: unchanged ? 'unchanged' : 'applied', commandId, hostOutput };
}

/**
 * A new application.yml restarts ShinyProxy, which ends every open session: say how many are
 * open (the host counts them from Docker's labels) and proceed, wait, or stop as asked.
 */
async function settleSessions(ctx: CommandContext, instanceId: string, opts: ApplyOptions): Promise<void> {
  const count = async (): Promise<{ n: number | null; users: string[] }> => {
    const res = await runHostCommand(ctx, instanceId, HOST_STATUS_COMMAND, { comment: 'shinykit apply: count open sessions (read-only)' });
    const report = parseHostReport(res.stdout);
    return { n: report?.sessionCount ?? null, users: [...new Set((report?.sessions ?? []).map((s) => s.user))] };
  };
  let { n, users } = await count();
  if (n === null) {
    ctx.out.info('the host could not say how many sessions are open; restarting ShinyProxy ends any that are');
    return;
  }
  if (n === 0) return;
  ctx.out.warn(`${n} session${n === 1 ? ' is' : 's are'} open (${users.join(', ')}): the new application.yml restarts ShinyProxy, which ends ${n === 1 ? 'it' : 'them'}`);
  let choice: 'wait' | 'proceed' | 'cancel' = opts.yes ? 'proceed' : opts.waitForSessions ? 'wait' : 'cancel';
  if (!opts.yes && !opts.waitForSessions) {
    if (!opts.ask) {
      throw new UsageError(`${n} session${n === 1 ? ' is' : 's are'} open and would end; nothing was changed`, {
        hint: 'pass --yes to restart ShinyProxy anyway, or --wait-for-sessions to apply once they have ended',
      });
    }
    choice = await opts.ask('[w]ait until they end, [p]roceed now (they end), or [c]ancel? ');
  }
  if (choice === 'cancel') throw new UsageError('cancelled; nothing was changed');
  if (choice === 'proceed') return;
  const pollMs = ctx.timing.sessionPollMs;
  const deadline = Date.now() + SESSION_WAIT_SECONDS * 1000;
  while (n !== null && n > 0) {
    if (Date.now() > deadline) throw new WorkError(`${n} session(s) still open; gave up waiting`, { hint: 'run `shinykit apply --yes` to restart anyway' });
    ctx.out.info(`waiting for ${n} open session(s) to end (checking every ${Math.round(pollMs / 1000)} s; Ctrl-C to stop)`);
    await sleep(pollMs);
    ({ n } = await count());
  }
}

/** The nginx version the host published at bootstrap (<prefix>status/host), when there is one. */
async function hostNginxVersion(ssm: SSMClient, prefix: string): Promise<string | undefined> {
  try {
    const res = await ssm.send(new GetParameterCommand({ Name: `${prefix}status/host` }));
    const version = (JSON.parse(res.Parameter?.Value ?? '{}') as { nginxVersion?: unknown }).nginxVersion;
    return typeof version === 'string' && /^\d+\.\d+\.\d+$/.test(version) ? version : undefined;
  } catch (err) {
    if (err instanceof Error && (err.name === 'ParameterNotFound' || err instanceof SyntaxError)) return undefined;
    throw err;
  }
}

/** Recorded with the config so `status` can say who applied it; best effort. */
async function callerArn(ctx: CommandContext): Promise<string | undefined> {
  try {
    return (await (await ctx.aws()).sts().send(new GetCallerIdentityCommand({}))).Arn;
  } catch {
    return undefined;
  }
}

function tailOf(inv: GetCommandInvocationCommandOutput): string[] {
  const text = [inv.StandardOutputContent ?? '', inv.StandardErrorContent ?? ''].filter(Boolean).join('\n');
  return text.split('\n').map((l) => l.trimEnd()).filter(Boolean).slice(-TAIL_LINES);
}

function resultLine(lines: readonly string[]): string | undefined {
  const line = [...lines].reverse().find((l) => l.startsWith('RESULT: '));
  return line?.replace(/^RESULT: (rejected|rollback-failed): /, '');
}

export function applyCommand(): Command {
  return new Command('apply')
    .description('render the host config and roll it out through SSM; the host keeps the previous config if the new one fails')
    .option('--dry-run', 'show the diff against the config on the host; change nothing')
    .option('--allow-missing-images', 'leave apps without a pushed image out instead of failing')
    .option('-y, --yes', 'restart ShinyProxy even if sessions are open (they end)')
    .option('--wait-for-sessions', 'if sessions are open, wait until they have ended, then apply')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { dryRun?: boolean; allowMissingImages?: boolean; json?: boolean; yes?: boolean; waitForSessions?: boolean }, cmd: Command) => {
      const ctx = createContext(cmd);
      let result: ApplyResult;
      try {
        const interactive = ctx.out.canPrompt && !opts.json;
        result = await runApply(
          { dryRun: opts.dryRun, allowMissingImages: opts.allowMissingImages, yes: opts.yes, waitForSessions: opts.waitForSessions, ask: interactive ? askOnTerminal : undefined },
          ctx,
        );
      } catch (err) {
        if (opts.json && err instanceof HostRejectedError) {
          ctx.out.json({ status: 'rejected', commandId: err.commandId, reason: err.message, hostOutput: err.hostOutput });
        }
        throw err;
      }
      if (opts.json) {
        ctx.out.json(result);
        return;
      }
      if (result.status === 'dry-run') {
        if (result.diff) ctx.out.result(result.diff.trimEnd());
        ctx.out.info(
          result.changedFiles.length === 0
            ? 'dry run: the host already has this config; nothing would change'
            : `dry run: ${result.changedFiles.join(' and ')} would change; nothing was written`,
        );
        return;
      }
      for (const line of result.hostOutput) ctx.out.info(`  host| ${line}`);
      ctx.out.result(
        result.status === 'unchanged'
          ? `host ${result.instanceId} already runs this config (command ${result.commandId})`
          : `host ${result.instanceId} switched to the new config (${result.changedFiles.join(', ') || 'no file changes'}; command ${result.commandId})`,
      );
    });
}

async function askOnTerminal(question: string): Promise<'wait' | 'proceed' | 'cancel'> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    for (;;) {
      const answer = (await rl.question(question)).trim().toLowerCase();
      if (answer.startsWith('w')) return 'wait';
      if (answer.startsWith('p')) return 'proceed';
      if (answer === '' || answer.startsWith('c')) return 'cancel';
    }
  } finally {
    rl.close();
  }
}
