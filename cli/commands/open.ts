/**
 * `shinykit open`: the deployed site in the browser (the SiteUrl output). Prints the
 * URL instead when no one is at a terminal or the system has no opener.
 */
import { Command } from 'commander';
import { OutputKeys } from '../../lib/outputs.js';
import { createContext, type CommandContext } from '../lib/context.js';
import { run, type Runner, ExecError } from '../lib/exec.js';

export interface OpenDeps {
  readonly runner?: Runner;
  readonly platform?: NodeJS.Platform;
  /** Whether a browser window makes sense. @default the I/O host: stdout is a terminal */
  readonly interactive?: boolean;
}

export interface OpenResult {
  readonly url: string;
  /** The opener that was run, or why none was. */
  readonly opened: boolean;
  readonly reason?: string;
}

/** The system's "open this URL with the default handler" command. */
export function openerFor(platform: NodeJS.Platform, url: string): [string, string[]] {
  if (platform === 'darwin') return ['open', [url]];
  // `start` is a cmd.exe builtin that needs shell quoting; the URL handler takes the URL as one argument.
  if (platform === 'win32') return ['rundll32', ['url.dll,FileProtocolHandler', url]];
  return ['xdg-open', [url]];
}

export async function runOpen(ctx: CommandContext, deps: OpenDeps = {}): Promise<OpenResult> {
  const url = (await ctx.outputs()).get(OutputKeys.SiteUrl);
  if (!(deps.interactive ?? ctx.out.isTTY.stdout)) return { url, opened: false, reason: 'not a terminal' };
  const [cmd, args] = openerFor(deps.platform ?? process.platform, url);
  try {
    await (deps.runner ?? run)(cmd, args, { timeoutMs: 30_000 });
    return { url, opened: true };
  } catch (err) {
    if (err instanceof ExecError) return { url, opened: false, reason: err.message };
    throw err;
  }
}

export function openCommand(): Command {
  return new Command('open')
    .description('open the deployed site in your browser (prints its URL when there is no browser to open)')
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = createContext(cmd);
      const result = await runOpen(ctx);
      if (result.opened) ctx.out.info(`Opened ${result.url}`);
      else {
        if (result.reason !== 'not a terminal') ctx.out.info(`Could not open a browser (${result.reason}); the site is:`);
        ctx.out.result(result.url);
      }
    });
}
