/**
 * What the `users` and `groups` commands need from the outside world, built
 * once from the command context: the pool (from the stack outputs, never
 * guessed), a Cognito client, the output streams and the prompt.
 */
import type { Config } from '../../lib/config/index.js';
import { OutputKeys } from '../../lib/outputs.js';
import type { CommandContext } from '../lib/context.js';
import type { IoHost } from '../lib/io-host.js';
import { Directory } from './directory.js';
import { terminalPrompt, type Prompt } from './prompt.js';

export interface UsersDeps {
  readonly config: Config;
  readonly directory: Directory;
  readonly out: IoHost;
  readonly prompt: Prompt;
}

export interface DepsOptions {
  /**
   * Bulk work: the SDK's own retries are turned off so the import's pacer is the
   * only retry layer (and every attempt is counted against the rate).
   */
  readonly bulk?: boolean;
}

export async function usersDeps(ctx: CommandContext, opts: DepsOptions = {}): Promise<UsersDeps> {
  const config = ctx.config();
  const poolId = (await ctx.outputs()).get(OutputKeys.UserPoolId);
  const clients = await ctx.aws();
  const cognito = opts.bulk ? clients.with({ maxAttempts: 1 }).cognito() : clients.cognito();
  return { config, directory: new Directory(cognito, poolId), out: ctx.out, prompt: terminalPrompt(ctx.out.isTTY.stdin) };
}
