/**
 * `shinykit logs [shinyproxy|nginx|bootstrap|apply|tls|app <id>]`: the kit's CloudWatch Logs
 * (helpers: cli/logs). Read-only. ShinyProxy's log by default.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import { createContext, type CommandContext } from '../lib/context.js';
import { UsageError } from '../lib/errors.js';
import { fetchEvents, LOG_TARGETS, parseSince, resolveSource, type LogsOptions, type LogTarget } from '../logs/index.js';

export function logsCommand(): Command {
  return new Command('logs')
    .description('show the host\'s and the apps\' logs from CloudWatch Logs: shinyproxy (default), nginx, bootstrap, apply, tls, app <id>')
    .argument('[what]', `one of: ${LOG_TARGETS.join(', ')}`, 'shinyproxy')
    .argument('[app]', 'with `app`: the app id')
    .option('--user <id>', 'with `app`: only this user\'s sessions (their email)')
    .option('--since <duration>', 'how far back: 30m, 1h, 2d', '1h')
    .option('--grep <regex>', 'only lines matching this regular expression')
    .option('-f, --follow', 'keep printing new lines until Ctrl-C')
    .action(async (what: string, app: string | undefined, opts: { user?: string; since: string; grep?: string; follow?: boolean }, cmd: Command) => {
      const ctx = createContext(cmd);
      if (!(LOG_TARGETS as readonly string[]).includes(what)) {
        throw new UsageError(`unknown log "${what}"; expected one of: ${LOG_TARGETS.join(', ')}`);
      }
      const target = what as LogTarget;
      if (target === 'app') {
        const ids = ctx.config().apps.map((a) => a.id);
        if (!app || !ids.includes(app)) {
          throw new UsageError(app ? `no app "${app}" in ${ctx.options.config}` : '`logs app` needs an app id', { hint: `apps: ${ids.join(', ')}` });
        }
      } else if (app || opts.user) {
        throw new UsageError(`an app id and --user go with \`logs app <id>\`, not \`logs ${target}\``);
      }
      let grep: RegExp | undefined;
      if (opts.grep !== undefined) {
        try {
          grep = new RegExp(opts.grep);
        } catch (err) {
          throw new UsageError(`--grep ${opts.grep}: not a regular expression (${(err as Error).message})`);
        }
      }
      const controller = new AbortController();
      process.once('SIGINT', () => controller.abort());
      await runLogs(
        { target, app, user: opts.user, startTime: Date.now() - parseSince(opts.since), grep, follow: opts.follow, signal: controller.signal, print: (l) => ctx.out.result(l) },
        ctx,
      );
    });
}

/** Prints the target's events since `startTime` (with `follow`, new ones until `signal`); returns how many. */
export async function runLogs(opts: LogsOptions, ctx: CommandContext): Promise<number> {
  const cfg = ctx.config();
  const outputs = await ctx.outputs();
  const logs = (await ctx.aws()).logs();
  const source = await resolveSource(opts, ctx, logs, cfg.backend, outputs);
  if (source.streams && source.streams.length === 0) {
    ctx.out.info(
      opts.user
        ? `no sessions of ${opts.app} by ${opts.user} since ${new Date(opts.startTime).toISOString()}`
        : `no log streams for ${opts.target}${opts.app ? ` ${opts.app}` : ''} yet`,
    );
    if (!opts.follow) return 0;
  }
  let count = 0;
  const seen = new Set<string>();
  let since = opts.startTime;
  for (;;) {
    for (const event of await fetchEvents(logs, source, since)) {
      if (event.eventId && seen.has(event.eventId)) continue;
      if (event.eventId) seen.add(event.eventId);
      since = Math.max(since, event.timestamp ?? since);
      const message = (event.message ?? '').replace(/\n$/, '');
      if (opts.grep && !opts.grep.test(message)) continue;
      opts.print(`${new Date(event.timestamp ?? 0).toISOString()} ${source.label(event.logStreamName ?? '')}${message}`);
      count++;
    }
    if (!opts.follow || opts.signal?.aborted) return count;
    await sleep(ctx.timing.logsPollMs);
    if (opts.signal?.aborted) return count;
  }
}
