/**
 * `shinykit status`: the running kit at a glance, read-only. The instance's state comes from
 * EC2; everything inside the host (memory, disk, swap, services, certificate, the live config,
 * images, open sessions) from the host's own shinykit-status script, run through SSM Run
 * Command (helpers: cli/status). `--watch` refreshes it on a terminal.
 */
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import { OutputKeys } from '../../lib/outputs.js';
import { createContext, type CommandContext } from '../lib/context.js';
import { UsageError } from '../lib/errors.js';
import { runHostCommand } from '../lib/host-command.js';
import { formatStatus, HOST_STATUS_COMMAND, parseHostReport, type StatusResult } from '../status/index.js';

export function statusCommand(): Command {
  return new Command('status')
    .description('show the running host: resources, services, certificate, live config, images and open sessions (read-only)')
    .option('--json', 'print the result as JSON')
    .option('--watch [seconds]', 'refresh every few seconds (default 10) until Ctrl-C; needs a terminal')
    .action(async (opts: { json?: boolean; watch?: string | boolean }, cmd: Command) => {
      const ctx = createContext(cmd);
      if (opts.watch !== undefined) {
        const seconds = opts.watch === true ? 10 : Number(opts.watch);
        if (!Number.isFinite(seconds) || seconds < 2) {
          throw new UsageError(`--watch ${String(opts.watch)}: expected a number of seconds, at least 2`);
        }
        if (!ctx.out.isTTY.stdout || opts.json) {
          throw new UsageError('--watch refreshes a terminal screen', { hint: 'run it in a terminal without --json, or run `shinykit status` repeatedly' });
        }
        for (;;) {
          const text = formatStatus(await runStatus(ctx));
          ctx.out.result(`\u001b[2J\u001b[H${text}\n\n(refreshing every ${seconds} s; Ctrl-C to stop)`);
          await sleep(seconds * 1000);
        }
      }
      const result = await runStatus(ctx);
      if (opts.json) ctx.out.json(result);
      else ctx.out.result(formatStatus(result));
    });
}

/** The instance's state from EC2 and, when it runs, the host's own report through SSM. */
export async function runStatus(ctx: CommandContext): Promise<StatusResult> {
  const outputs = await ctx.outputs();
  const instanceId = outputs.get(OutputKeys.HostInstanceId);
  const ec2 = (await ctx.aws()).ec2();
  const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] })).catch((err: unknown) => {
    if (err instanceof Error && /InvalidInstanceID/i.test(err.name)) return undefined;
    throw err;
  });
  const inst = described?.Reservations?.flatMap((r) => r.Instances ?? [])[0];
  const instance = inst
    ? { state: inst.State?.Name ?? 'unknown', type: inst.InstanceType, launchTime: inst.LaunchTime?.toISOString() }
    : { state: 'not found' };
  if (instance.state !== 'running') {
    return { instanceId, instance, hostError: `the instance is ${instance.state}; nothing to ask` };
  }
  const res = await runHostCommand(ctx, instanceId, HOST_STATUS_COMMAND, { comment: 'shinykit status (read-only)' });
  const report = parseHostReport(res.stdout);
  if (!report) {
    return { instanceId, instance, hostError: `the host gave no status (command ${res.commandId} ended ${res.status})` };
  }
  return { instanceId, instance, host: report };
}
