/**
 * `shinykit logs`'s helpers (the command and runLogs are in cli/commands/logs.ts): where the
 * CloudWatch Logs the kit already ships are, and reading them, read-only.
 *
 * The host's CloudWatch agent (assets/host/cloudwatch-agent.json) writes to the host log group
 * (output HostLogGroupName), one stream per file: `<instance>/shinyproxy`, `/nginx-error`,
 * `/nginx-access`, `/bootstrap`, `/apply`, `/tls`. App containers' output files
 * (`/var/log/shinyproxy/containers/<app>_<proxy id>_<time>_std{out,err}.log`, named by
 * containerproxy's log storage) each get their own stream through `publish_multi_logs`, which
 * the agent names `<log_stream_name>_<file path with "/" as "_">` (amazon-cloudwatch-agent,
 * plugins/inputs/logfile: generateLogStreamName). A user's sessions are found from ShinyProxy's
 * own log lines, `[user=<id> proxyId=<id> specId=<app>] ...` (containerproxy StructuredLogger).
 * With `backend: ecs` an app's tasks log to the app's own log group instead.
 */
import { DescribeLogStreamsCommand, FilterLogEventsCommand, type CloudWatchLogsClient, type FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { appLogGroupPrefix, ExtraOutputKeys, OutputKeys } from '../../lib/outputs.js';
import { CONTAINER_LOG_PATH } from '../../lib/render/host.js';
import type { CommandContext } from '../lib/context.js';
import { UsageError } from '../lib/errors.js';

export const LOG_TARGETS = ['shinyproxy', 'nginx', 'bootstrap', 'apply', 'tls', 'app'] as const;
export type LogTarget = (typeof LOG_TARGETS)[number];

const HOST_STREAMS: Record<Exclude<LogTarget, 'app'>, string[]> = {
  shinyproxy: ['shinyproxy'],
  nginx: ['nginx-error', 'nginx-access'],
  bootstrap: ['bootstrap'],
  apply: ['apply'],
  tls: ['tls'],
};

export interface LogsOptions {
  readonly target: LogTarget;
  readonly app?: string;
  readonly user?: string;
  /** Milliseconds since the epoch. */
  readonly startTime: number;
  readonly grep?: RegExp;
  readonly follow?: boolean;
  /** Called with each line as it is found (stdout in the command). */
  readonly print: (line: string) => void;
  /** Stop following (tests; Ctrl-C otherwise). */
  readonly signal?: AbortSignal;
}

/** `30m`, `1h`, `2d` → milliseconds. */
export function parseSince(text: string): number {
  const m = /^(\d+)\s*([smhd])$/.exec(text.trim());
  if (!m) throw new UsageError(`--since ${text}: expected a duration such as 30m, 1h or 2d`);
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
}

/** The stream name prefix of an app's container output files on the host. */
export function appStreamPrefix(instanceId: string, app: string): string {
  return `${instanceId}/app_${`${CONTAINER_LOG_PATH}/${app}_`.replaceAll('/', '_')}`;
}

export interface Source {
  readonly group: string;
  readonly streams?: string[];
  /** Shown before each line. */
  readonly label: (stream: string) => string;
}

/** The log group (and streams, when known) a target reads. */
export async function resolveSource(
  opts: LogsOptions,
  ctx: CommandContext,
  logs: CloudWatchLogsClient,
  backend: string,
  outputs: Awaited<ReturnType<CommandContext['outputs']>>,
): Promise<Source> {
  const cfg = ctx.config();
  if (opts.target === 'app' && backend === 'ecs') {
    if (opts.user) throw new UsageError('--user works with the docker backend only: ECS task logs do not name the user');
    const prefix = outputs.find(ExtraOutputKeys.EcsLogGroupPrefix) ?? appLogGroupPrefix(cfg);
    return { group: `${prefix}${opts.app}`, label: (s) => `${s.split('/').pop()} ` };
  }
  const group = outputs.find(ExtraOutputKeys.HostLogGroupName);
  if (!group) {
    throw new UsageError(`the stack outputs have no ${ExtraOutputKeys.HostLogGroupName}`, {
      hint: 'deploy the current stacks (`npx cdk deploy --all --outputs-file cdk-outputs.json`)',
    });
  }
  const instanceId = outputs.get(OutputKeys.HostInstanceId);
  if (opts.target !== 'app') {
    const names = HOST_STREAMS[opts.target];
    return { group, streams: names.map((n) => `${instanceId}/${n}`), label: (s) => (names.length > 1 ? `${s.split('/').pop()} ` : '') };
  }
  const prefix = appStreamPrefix(instanceId, opts.app!);
  let streams = await streamsWithPrefix(logs, group, prefix);
  if (opts.user) {
    const ids = await proxyIdsOf(logs, group, `${instanceId}/shinyproxy`, opts.user, opts.app!, opts.startTime);
    streams = streams.filter((s) => ids.some((id) => s.startsWith(`${prefix}${id}_`)));
  }
  // `<proxy id>_<time>_stdout.log` → `<proxy id> stdout`
  const label = (s: string) => `${s.slice(prefix.length).replace(/^([^_]+)_.*_(std(?:out|err))\.log$/, '$1 $2')} `;
  return { group, streams, label };
}

async function streamsWithPrefix(logs: CloudWatchLogsClient, group: string, prefix: string): Promise<string[]> {
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    const res = await logs.send(new DescribeLogStreamsCommand({ logGroupName: group, logStreamNamePrefix: prefix, nextToken }));
    for (const s of res.logStreams ?? []) if (s.logStreamName) names.push(s.logStreamName);
    nextToken = res.nextToken;
  } while (nextToken);
  return names;
}

/** The sessions (proxy ids) `user` opened of `app`, from ShinyProxy's log lines. */
async function proxyIdsOf(logs: CloudWatchLogsClient, group: string, stream: string, user: string, app: string, since: number): Promise<string[]> {
  const ids = new Set<string>();
  const events = await fetchEvents(logs, { group, streams: [stream], label: () => '' }, since);
  for (const e of events) {
    const m = /\[user=(\S+) proxyId=(\S+) specId=(\S+)\]/.exec(e.message ?? '');
    if (m && m[1] === user && m[3] === app) ids.add(m[2]!);
  }
  return [...ids];
}

export async function fetchEvents(logs: CloudWatchLogsClient, source: Source, since: number): Promise<FilteredLogEvent[]> {
  if (source.streams && source.streams.length === 0) return [];
  const events: FilteredLogEvent[] = [];
  // FilterLogEvents takes at most 100 stream names per call.
  const batches = source.streams ? chunk(source.streams, 100) : [undefined];
  for (const names of batches) {
    let nextToken: string | undefined;
    do {
      try {
        const res = await logs.send(
          new FilterLogEventsCommand({ logGroupName: source.group, logStreamNames: names, startTime: since, nextToken }),
        );
        events.push(...(res.events ?? []));
        nextToken = res.nextToken;
      } catch (err) {
        if (err instanceof Error && err.name === 'ResourceNotFoundException') {
          throw new UsageError(`log group ${source.group} does not exist`, {
            hint: 'it is created when the host (or, for ECS, the app) first writes a log; check the name with `shinykit doctor`',
          });
        }
        throw err;
      }
    } while (nextToken);
  }
  return events.sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0));
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
