/**
 * Commands on the host through SSM Run Command (no SSH): send one, wait for it to end.
 * `runHostCommand` runs one of the host's own read-only scripts and returns what it
 * printed (`status`, and `apply` to count open sessions first); `apply` sends its
 * deliver command and waits with the same two steps.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { GetCommandInvocationCommand, SendCommandCommand, type GetCommandInvocationCommandOutput, type SSMClient } from '@aws-sdk/client-ssm';
import type { CommandContext } from './context.js';
import { WorkError } from './errors.js';

const TERMINAL = new Set(['Success', 'Failed', 'Cancelled', 'TimedOut', 'Cancelling']);

export interface HostCommandResult {
  readonly commandId: string;
  readonly status: string;
  readonly stdout: string;
}

export async function runHostCommand(
  ctx: CommandContext,
  instanceId: string,
  command: string,
  opts: { comment: string; timeoutSeconds?: number; pollMs?: number },
): Promise<HostCommandResult> {
  const ssm = (await ctx.aws()).ssm();
  const timeout = opts.timeoutSeconds ?? 60;
  const commandId = await sendHostCommand(ssm, instanceId, { command, comment: opts.comment, executionTimeoutSeconds: timeout, pickupTimeoutSeconds: 60 });
  const inv = await waitForHostCommand(ssm, commandId, instanceId, {
    pollMs: opts.pollMs ?? ctx.timing.hostCommandPollMs,
    timeoutSeconds: timeout + 30,
    timedOut: () =>
      new WorkError(`host ${instanceId} did not answer within ${timeout} s (command ${commandId})`, {
        hint: 'see docs/host.md ("The host does not answer")',
      }),
  });
  return { commandId, status: inv.Status ?? 'Unknown', stdout: inv.StandardOutputContent ?? '' };
}

/** SendCommand of one shell command to the instance; its command id. */
export async function sendHostCommand(
  ssm: SSMClient,
  instanceId: string,
  opts: { command: string; comment: string; executionTimeoutSeconds: number; /** How long it may wait for the instance to pick it up. */ pickupTimeoutSeconds: number },
): Promise<string> {
  let commandId: string | undefined;
  try {
    const res = await ssm.send(
      new SendCommandCommand({
        DocumentName: 'AWS-RunShellScript',
        InstanceIds: [instanceId],
        Comment: opts.comment,
        Parameters: { commands: [opts.command], executionTimeout: [String(opts.executionTimeoutSeconds)] },
        TimeoutSeconds: opts.pickupTimeoutSeconds,
      }),
    );
    commandId = res.Command?.CommandId;
  } catch (err) {
    throw unreachableHost(err, instanceId);
  }
  if (!commandId) throw new WorkError('SSM accepted the command but returned no command id');
  return commandId;
}

/** Polls the invocation until it ends (any terminal status); `timedOut()` is thrown after `timeoutSeconds`. */
export async function waitForHostCommand(
  ssm: SSMClient,
  commandId: string,
  instanceId: string,
  opts: { pollMs: number; timeoutSeconds: number; timedOut: () => Error; onStatus?: (status: string) => void },
): Promise<GetCommandInvocationCommandOutput> {
  const deadline = Date.now() + opts.timeoutSeconds * 1000;
  for (;;) {
    try {
      const inv = await ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }));
      const status = inv.Status ?? 'Unknown';
      opts.onStatus?.(status);
      if (TERMINAL.has(status)) return inv;
    } catch (err) {
      // Right after SendCommand the invocation may not exist yet.
      if (!(err instanceof Error && /InvocationDoesNotExist/.test(err.name))) throw err;
    }
    if (Date.now() > deadline) throw opts.timedOut();
    await sleep(opts.pollMs);
  }
}

/** SendCommand's InvalidInstanceId in the user's terms; any other error as it is. */
export function unreachableHost(err: unknown, instanceId: string): unknown {
  if (err instanceof Error && /InvalidInstanceId/.test(err.name)) {
    return new WorkError(`host ${instanceId} is not reachable through SSM Run Command`, {
      cause: err,
      hint: 'a new host needs a few minutes after `shinykit deploy`; if it persists, see docs/host.md ("The host does not answer")',
    });
  }
  return err;
}
