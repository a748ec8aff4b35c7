/**
 * The CLI's one I/O host: every line a command prints and every progress display
 * goes through it. It is built from facts about the terminal — which streams are
 * terminals, whether this is CI, whether NO_COLOR is set — that only the entry
 * (cli/index.ts) reads from the process; commands get the host from their
 * CommandContext and never look at process.env or isTTY themselves.
 * (Model: the aws-cdk CLI's CliIoHost.)
 *
 * Where things go: results to stdout (so `--json | jq` works); notes, warnings,
 * progress and prompts to stderr. Colour is decided per stream: only a stream that
 * is a terminal gets it (so `shinykit doctor > log` writes plain text), never with
 * NO_COLOR (a non-empty value, https://no-color.org) or --no-color. Progress
 * animates only when stderr is a terminal and this is not CI; elsewhere it is
 * plain lines or nothing. --quiet drops notes and progress; results, warnings and
 * errors stay.
 */

/** Which of the standard streams are terminals. */
export interface TerminalStreams {
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
}

export interface TextSink {
  write(text: string): unknown;
}

/** The facts the entry gathers from the process; everything else follows from them. */
export interface IoFacts {
  readonly isTTY: TerminalStreams;
  /** The CI variable is set (any non-empty value): logs are read later, nothing animates. */
  readonly isCI: boolean;
  /** NO_COLOR is set to a non-empty value. */
  readonly noColor: boolean;
  readonly streams: { readonly stdout: TextSink; readonly stderr: TextSink };
}

export interface IoHostSettings extends IoFacts {
  /** false with --no-color. */
  readonly color?: boolean;
  /** --quiet. */
  readonly quiet?: boolean;
  /** The clock for elapsed times (tests pass a fixed one). */
  readonly now?: () => number;
}

/** Per-item progress (push: one line per app) for work whose items change phase. */
export interface TaskBoard {
  update(id: string, phase: string, detail?: string): void;
  /** Stops redrawing and leaves the final state on screen. */
  finish(): void;
}

/** Progress through a known number of items (users import: "importing 40/200 rows"). */
export interface Counter {
  /** `done` of `total` finished, the last of them `failed` (the counter keeps the tally). */
  update(done: number, total: number, failed?: boolean): void;
  /** Removes the line (the results are printed next). */
  finish(): void;
}

export interface IoHost {
  /** A result line (stdout). */
  result(text: string): void;
  /** A JSON result (stdout), stable 2-space formatting. */
  json(value: unknown): void;
  /** A note (stderr); dropped with --quiet. */
  info(text: string): void;
  warn(text: string): void;
  /**
   * A one-line status that replaces itself on a terminal ("synthesizing... 4.1s");
   * nothing at all off a terminal, under CI or with --quiet. `undefined` clears it.
   */
  status(text: string | undefined): void;
  /**
   * A step of a long wait ("host: InProgress"), said on every poll: the status line on a
   * terminal (its elapsed time ticks); elsewhere a plain note each time the text changes,
   * so CI logs keep the record without repeats.
   */
  step(text: string): void;
  /** A line per item, redrawn in place on a terminal; a plain line per change elsewhere. */
  tasks(ids: readonly string[], opts?: { quietStart?: string }): TaskBoard;
  /** "label done/total unit" redrawn in place on a terminal; nothing elsewhere (the results follow). */
  counter(label: string, unit: string): Counter;
  /** True when progress may animate: stderr is a terminal, not CI, not --quiet. */
  readonly interactive: boolean;
  /** A person can answer a question: stdin and stderr are terminals. */
  readonly canPrompt: boolean;
  readonly isTTY: TerminalStreams;
  /** Whether results (stdout) may carry colour. */
  readonly color: boolean;
  /** Whether stderr may carry colour. */
  readonly errorColor: boolean;
  readonly quiet: boolean;
}

const ESC = '\u001b[';
const CLEAR_LINE = `\r${ESC}2K`;
const paint = (on: boolean, code: number) => (s: string) => (on ? `${ESC}${code}m${s}${ESC}0m` : s);

/** Colour for one stream: a terminal, no NO_COLOR, no --no-color. */
export function useColor(streamIsTTY: boolean, facts: { noColor: boolean; color?: boolean }): boolean {
  return facts.color !== false && streamIsTTY && !facts.noColor;
}

export function formatElapsed(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/** How often an animated display redraws (elapsed times tick) and the least time between counter redraws. */
const REDRAW_MS = 250;
const COUNTER_MS = 100;

export function createIoHost(settings: IoHostSettings): IoHost {
  const { stdout, stderr } = settings.streams;
  const now = settings.now ?? Date.now;
  const quiet = settings.quiet === true;
  const color = useColor(settings.isTTY.stdout, settings);
  const errorColor = useColor(settings.isTTY.stderr, settings);
  const interactive = settings.isTTY.stderr && !settings.isCI && !quiet;
  const yellow = paint(errorColor, 33);

  // The one transient line on stderr (status, step or counter): cleared before anything else is printed.
  let transient = false;
  let statusText: string | undefined;
  let statusStarted = 0;
  let lastStep: string | undefined;
  const clearTransient = () => {
    if (transient) stderr.write(CLEAR_LINE);
    transient = false;
  };
  const showTransient = (text: string) => {
    stderr.write(`${CLEAR_LINE}${text}`);
    transient = true;
  };

  const status = (text: string | undefined) => {
    if (!interactive) return;
    if (text === undefined) {
      statusText = undefined;
      return clearTransient();
    }
    if (statusText === undefined) statusStarted = now();
    statusText = text;
    showTransient(`${text}... ${formatElapsed(now() - statusStarted)}`);
  };

  const info = (text: string) => {
    if (quiet) return;
    clearTransient();
    stderr.write(`${text}\n`);
  };

  return {
    result: (text) => {
      clearTransient();
      stdout.write(`${text}\n`);
    },
    json: (value) => {
      clearTransient();
      stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    },
    info,
    warn: (text) => {
      clearTransient();
      stderr.write(`${yellow('warning:')} ${text}\n`);
    },
    status,
    step: (text) => {
      if (interactive) status(text);
      else if (text !== lastStep) info(text);
      lastStep = text;
    },
    tasks: (ids, opts = {}) => taskBoard({ ids, interactive, quiet, now, write: (t) => void stderr.write(t), quietStart: opts.quietStart }),
    counter: (label, unit) => {
      if (!interactive) return { update: () => undefined, finish: () => undefined };
      let last = Number.NEGATIVE_INFINITY;
      let failures = 0;
      return {
        update: (done, total, failed = false) => {
          if (failed) failures++;
          const t = now();
          if (t - last < COUNTER_MS && done < total) return;
          last = t;
          showTransient(`${label} ${done}/${total} ${unit}${failures ? ` (${failures} failed)` : ''}`);
        },
        finish: clearTransient,
      };
    },
    interactive,
    canPrompt: settings.isTTY.stdin && settings.isTTY.stderr,
    isTTY: settings.isTTY,
    color,
    errorColor,
    quiet,
  };
}

const FINAL_PHASES: ReadonlySet<string> = new Set(['skipped', 'done', 'failed']);

/**
 * On a terminal: a block of one line per item, redrawn in place with elapsed times.
 * Elsewhere: one plain line per change (CI logs, pipes). Nothing with --quiet.
 */
function taskBoard(opts: {
  ids: readonly string[];
  interactive: boolean;
  quiet: boolean;
  now: () => number;
  write: (text: string) => void;
  /** A phase every item starts in, said off a terminal only once it changes. */
  quietStart?: string;
}): TaskBoard {
  if (opts.quiet) return { update: () => undefined, finish: () => undefined };
  const { now, write } = opts;
  const started = now();
  const state = new Map(opts.ids.map((id) => [id, { phase: opts.quietStart ?? '', detail: '', end: started }]));
  const width = Math.max(...opts.ids.map((a) => a.length), 1);
  const line = (id: string) => {
    const s = state.get(id)!;
    const elapsed = formatElapsed((FINAL_PHASES.has(s.phase) ? s.end : now()) - started);
    return `${id.padEnd(width)}  ${s.phase.padEnd(8)} ${elapsed.padStart(6)}${s.detail ? `  ${s.detail}` : ''}`;
  };

  if (!opts.interactive) {
    return {
      update(id, phase, detail = '') {
        const s = state.get(id);
        if (!s || (s.phase === phase && s.detail === detail)) return;
        Object.assign(s, { phase, detail, end: now() });
        if (phase !== opts.quietStart) write(`${line(id)}\n`);
      },
      finish() {},
    };
  }

  let drawn = 0;
  const draw = () => {
    const up = drawn > 0 ? `${ESC}${drawn}A` : '';
    write(up + opts.ids.map((id) => `${ESC}2K${line(id)}\n`).join(''));
    drawn = opts.ids.length;
  };
  const timer = setInterval(draw, REDRAW_MS);
  timer.unref();
  draw();
  return {
    update(id, phase, detail = '') {
      const s = state.get(id);
      if (!s) return;
      Object.assign(s, { phase, detail, end: now() });
      draw();
    },
    finish() {
      clearInterval(timer);
      draw();
    },
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
