/**
 * Runs one of the host's own read-only scripts through SSM Run Command and returns what it
 * printed (no SSH). Used by `status` (and by `apply` to count open sessions first).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { GetCommandInvocationCommand, SendCommandCommand } from '@aws-sdk/client-ssm';
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
  let commandId: string | undefined;
  try {
    const res = await ssm.send(
      new SendCommandCommand({
        DocumentName: 'AWS-RunShellScript',
        InstanceIds: [instanceId],
        Comment: opts.comment,
        Parameters: { commands: [command], executionTimeout: [String(timeout)] },
        TimeoutSeconds: 60,
      }),
    );
    commandId = res.Command?.CommandId;
  } catch (err) {
    throw unreachableHost(err, instanceId);
  }
  if (!commandId) throw new WorkError('SSM accepted the command but returned no command id');
  const pollMs = opts.pollMs ?? ctx.timing.hostCommandPollMs;
  const deadline = Date.now() + (timeout + 30) * 1000;
  for (;;) {
    try {
      const inv = await ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }));
      const status = inv.Status ?? 'Unknown';
      if (TERMINAL.has(status)) return { commandId, status, stdout: inv.StandardOutputContent ?? '' };
    } catch (err) {
      // Right after SendCommand the invocation may not exist yet.
      if (!(err instanceof Error && /InvocationDoesNotExist/.test(err.name))) throw err;
    }
    if (Date.now() > deadline) {
      throw new WorkError(`host ${instanceId} did not answer within ${timeout} s (command ${commandId})`, {
        hint: 'see docs/host.md ("The host does not answer")',
      });
    }
    await sleep(pollMs);
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
