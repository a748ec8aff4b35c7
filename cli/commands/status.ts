/**
 * `shinykit status`: instance, host resources, services, certificate, live config, images and
 * open sessions (cli/status). Read-only. `--watch` refreshes it on a terminal.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import { createContext } from '../lib/context.js';
import { UsageError } from '../lib/errors.js';
import { formatStatus, runStatus } from '../status/index.js';

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
          process.stdout.write(`\u001b[2J\u001b[H${text}\n\n(refreshing every ${seconds} s; Ctrl-C to stop)\n`);
          await sleep(seconds * 1000);
        }
      }
      const result = await runStatus(ctx);
      if (opts.json) ctx.out.json(result);
      else ctx.out.result(formatStatus(result));
    });
}
