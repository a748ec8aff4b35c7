/**
 * Where things are printed: results to stdout (so `--json | jq` works), logs,
 * progress and prompts to stderr. Colour is decided per stream: only a stream
 * that is a terminal gets it (so `shinykit doctor > log` writes plain text), and
 * never with NO_COLOR (any non-empty value, https://no-color.org) or --no-color.
 * --quiet drops the log lines and progress; results, warnings and errors stay.
 */
import { stderr as processStderr, stdout as processStdout } from 'node:process';

type Env = Readonly<Record<string, string | undefined>>;
interface Stream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

export interface OutputSettings {
  /** false: --no-color. */
  readonly color?: boolean;
  readonly quiet?: boolean;
  readonly env?: Env;
  readonly stdout?: Stream;
  readonly stderr?: Stream;
}

export interface Output {
  /** A result line (stdout). */
  result(text: string): void;
  /** A JSON result (stdout), stable 2-space formatting. */
  json(value: unknown): void;
  /** A log line (stderr); dropped with --quiet. */
  info(text: string): void;
  warn(text: string): void;
  /**
   * A one-line status that replaces itself on a terminal ("synthesizing ... 4.1s");
   * nothing at all off a terminal, under CI or with --quiet. `undefined` clears it.
   */
  status?(text: string | undefined): void;
  /** True when progress may animate: stderr is a TTY, not CI, not --quiet. */
  readonly interactive: boolean;
  /** Whether results (stdout) may carry colour. */
  readonly color: boolean;
  /** Whether stderr may carry colour. */
  readonly errorColor?: boolean;
  readonly quiet?: boolean;
}

/** Colour for one stream: a terminal, no NO_COLOR, no --no-color. */
export function useColor(stream: { isTTY?: boolean } = processStderr, opts: { env?: Env; flag?: boolean } = {}): boolean {
  const noColor = (opts.env ?? process.env).NO_COLOR;
  return opts.flag !== false && Boolean(stream.isTTY) && (noColor === undefined || noColor === '');
}

export function isInteractive(stream: { isTTY?: boolean } = processStderr, env: Env = process.env): boolean {
  return Boolean(stream.isTTY) && !env.CI;
}

const paint = (on: boolean, code: number) => (s: string) => (on ? `\u001b[${code}m${s}\u001b[0m` : s);

export function createOutput(settings: OutputSettings = {}): Output {
  const env = settings.env ?? process.env;
  const stdout = settings.stdout ?? processStdout;
  const stderr = settings.stderr ?? processStderr;
  const quiet = settings.quiet === true;
  const color = useColor(stdout, { env, flag: settings.color });
  const errorColor = useColor(stderr, { env, flag: settings.color });
  const interactive = isInteractive(stderr, env) && !quiet;
  const yellow = paint(errorColor, 33);
  let statusShown = false;
  let statusStarted = 0;
  const clearStatus = () => {
    if (statusShown) stderr.write('\r\u001b[2K');
    statusShown = false;
  };
  return {
    result: (text) => {
      clearStatus();
      stdout.write(`${text}\n`);
    },
    json: (value) => {
      clearStatus();
      stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    },
    info: (text) => {
      if (quiet) return;
      clearStatus();
      stderr.write(`${text}\n`);
    },
    warn: (text) => {
      clearStatus();
      stderr.write(`${yellow('warning:')} ${text}\n`);
    },
    status: (text) => {
      if (!interactive) return;
      if (text === undefined) return clearStatus();
      if (!statusShown) statusStarted = Date.now();
      const elapsed = ((Date.now() - statusStarted) / 1000).toFixed(1);
      stderr.write(`\r\u001b[2K${text}... ${elapsed}s`);
      statusShown = true;
    },
    interactive,
    color,
    errorColor,
    quiet,
  };
}

/** ✓/✗/! marks, coloured only when `color` is on (the symbols stay either way). */
export function marks(color: boolean): { ok: string; fail: string; warn: string } {
  return {
    ok: paint(color, 32)('✓'),
    fail: paint(color, 31)('✗'),
    warn: paint(color, 33)('!'),
  };
}
