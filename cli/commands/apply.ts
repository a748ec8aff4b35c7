/**
 * `shinykit apply`: render the host's nginx snippet and application.yml, hand
 * them to the host through Parameter Store, and have the host switch to them
 * with an SSM Run Command (no SSH). The host checks, swaps and rolls back by
 * itself (assets/host/shinykit-apply.sh); this side shows what it said and
 * exits 1 when it kept the previous config.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  GetCommandInvocationCommand,
  GetParameterCommand,
  SendCommandCommand,
  type GetCommandInvocationCommandOutput,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { Command } from 'commander';
import { parameterPrefix, ExtraOutputKeys, OutputKeys } from '../../lib/outputs.js';
import { RENDER_FILES } from '../../lib/render/index.js';
import { readSet, writeSet, type ConfigFiles } from '../apply/config-set.js';
import { unifiedDiff } from '../apply/diff.js';
import { createContext, type CommandContext } from '../lib/context.js';
import { WorkError } from '../lib/errors.js';
import { renderForDeployment } from '../lib/render-inputs.js';

/** The host command the Run Command executes (installed by the bootstrap). */
export const HOST_DELIVER_COMMAND = '/usr/local/sbin/shinykit-deliver candidate';

export interface ApplyOptions {
  /** Show the diff against the config the host last accepted; write nothing. */
  readonly dryRun?: boolean;
  /** Leave apps without a pushed image out instead of failing. */
  readonly allowMissingImages?: boolean;
  /** How long to wait for the host, in seconds; default 900 (image pulls can be slow). */
  readonly timeoutSeconds?: number;
}

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

const TERMINAL = new Set(['Success', 'Failed', 'Cancelled', 'TimedOut', 'Cancelling']);
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

  ctx.out.info(`writing ${Object.keys(files).join(' and ')} below ${prefix}candidate/`);
  const meta = { createdAt: new Date().toISOString(), createdBy: await callerArn(ctx) };
  await writeSet(ssm, prefix, 'candidate', files, meta);

  ctx.out.info(`asking host ${instanceId} to check and switch to them (SSM Run Command)`);
  const commandId = await sendDeliver(ctx, instanceId, opts.timeoutSeconds ?? 900);
  const invocation = await waitForInvocation(ctx, commandId, instanceId, (opts.timeoutSeconds ?? 900) + 60);
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

async function sendDeliver(ctx: CommandContext, instanceId: string, timeoutSeconds: number): Promise<string> {
  const ssm = (await ctx.aws()).ssm();
  try {
    const res = await ssm.send(
      new SendCommandCommand({
        DocumentName: 'AWS-RunShellScript',
        InstanceIds: [instanceId],
        Comment: 'shinykit apply: check and switch to the delivered config',
        Parameters: { commands: [HOST_DELIVER_COMMAND], executionTimeout: [String(timeoutSeconds)] },
        // How long the command may wait for the instance to pick it up.
        TimeoutSeconds: 600,
      }),
    );
    const id = res.Command?.CommandId;
    if (!id) throw new WorkError('SSM accepted the command but returned no command id');
    return id;
  } catch (err) {
    if (err instanceof Error && /InvalidInstanceId/.test(err.name)) {
      throw new WorkError(`host ${instanceId} is not reachable through SSM Run Command`, {
        cause: err,
        hint: 'a new host needs a few minutes after `cdk deploy`; if it persists, see docs/host.md ("The host does not answer")',
      });
    }
    throw err;
  }
}

async function waitForInvocation(
  ctx: CommandContext,
  commandId: string,
  instanceId: string,
  timeoutSeconds: number,
): Promise<GetCommandInvocationCommandOutput> {
  const ssm = (await ctx.aws()).ssm();
  const pollMs = Number(process.env.SHINYKIT_APPLY_POLL_MS ?? 3000);
  const deadline = Date.now() + timeoutSeconds * 1000;
  let last = '';
  for (;;) {
    try {
      const inv = await ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }));
      const status = inv.Status ?? 'Unknown';
      if (status !== last) ctx.out.info(`host: ${status}`);
      last = status;
      if (TERMINAL.has(status)) return inv;
    } catch (err) {
      // Right after SendCommand the invocation may not exist yet.
      if (!(err instanceof Error && /InvocationDoesNotExist/.test(err.name))) throw err;
    }
    if (Date.now() > deadline) {
      throw new WorkError(`host ${instanceId} did not finish applying within ${timeoutSeconds} s`, {
        hint: `the command (${commandId}) may still be running; check the host status parameter and docs/host.md`,
      });
    }
    await sleep(pollMs);
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
    .option('--json', 'print the result as JSON')
    .action(async (opts: { dryRun?: boolean; allowMissingImages?: boolean; json?: boolean }, cmd: Command) => {
      const ctx = createContext(cmd);
      let result: ApplyResult;
      try {
        result = await runApply({ dryRun: opts.dryRun, allowMissingImages: opts.allowMissingImages }, ctx);
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
