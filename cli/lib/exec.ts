/**
 * The one way the CLI starts child processes: argv arrays (never a shell
 * string), a timeout, secrets on stdin only and redacted from anything shown,
 * and failures turned into messages a user can act on.
 */
import { execa, type ExecaError } from 'execa';
import { WorkError } from './errors.js';

export interface RunOptions {
  readonly cwd?: string;
  /** Added to the inherited environment. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Written to the child's stdin; the only way a secret may reach a child. */
  readonly input?: string;
  /** Milliseconds before the child is killed; default 10 minutes. */
  readonly timeoutMs?: number;
  /** Strings to blank out of any output or message we keep (tokens, passwords). */
  readonly secrets?: readonly string[];
  /** Called with each line of stdout and stderr as it arrives (build logs). */
  readonly onLine?: (line: string) => void;
  /** How many trailing output lines a failure carries; default 30. */
  readonly tailLines?: number;
  /**
   * The child talks to the user directly (a tool with its own prompts and progress,
   * like `cdk deploy`): it gets our stdin and stderr, and its stdout goes to our
   * stderr so our stdout keeps only our own results. Nothing is captured.
   */
  readonly interactive?: boolean;
}

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** A child that ran and failed; carries the tail of its output. */
export class ExecError extends WorkError {
  constructor(
    message: string,
    readonly tail: readonly string[],
    hint?: string,
  ) {
    super(message, { details: tail, hint });
  }
}

/** The signature commands depend on, so tests can inject a recorder. */
export type Runner = (cmd: string, args: readonly string[], opts?: RunOptions) => Promise<RunResult>;

export const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;

export const run: Runner = async (cmd, args, opts = {}) => {
  const redact = redactor(opts.secrets ?? []);
  if (opts.interactive) return runInteractive(cmd, args, opts);
  const child = execa(cmd, [...args], {
    cwd: opts.cwd,
    env: opts.env,
    input: opts.input,
    stdin: opts.input === undefined ? 'ignore' : undefined,
    timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    reject: false,
    all: true,
    lines: false,
    stripFinalNewline: true,
  });
  if (opts.onLine) {
    const onLine = opts.onLine;
    child.all?.setEncoding('utf8');
    let partial = '';
    child.all?.on('data', (chunk: string) => {
      const parts = (partial + chunk).split(/\r?\n/);
      partial = parts.pop() ?? '';
      for (const line of parts) onLine(redact(line));
    });
    child.all?.on('end', () => partial && onLine(redact(partial)));
  }
  const result = await child;
  const tailLines = opts.tailLines ?? 30;
  const tail = () => redact(String(result.all ?? '')).split('\n').filter(Boolean).slice(-tailLines);
  if (result.failed) {
    const err = result as unknown as ExecaError;
    const what = args[0] ? `${cmd} ${args[0]}` : cmd; // `docker build`, or just `docker`
    if ((err.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT' || err.code === 'ENOENT') {
      throw new ExecError(`${cmd} is not installed or not on PATH`, [], `install ${cmd}, or check PATH`);
    }
    if (err.timedOut) {
      throw new ExecError(
        `${what} did not finish within ${Math.round((opts.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000)} s and was stopped`,
        tail(),
      );
    }
    throw new ExecError(`${what} failed (exit code ${err.exitCode ?? 'none'})`, tail());
  }
  return { stdout: redact(String(result.stdout ?? '')), stderr: redact(String(result.stderr ?? '')) };
};

async function runInteractive(cmd: string, args: readonly string[], opts: RunOptions): Promise<RunResult> {
  const result = await execa(cmd, [...args], {
    cwd: opts.cwd,
    env: opts.env,
    stdio: ['inherit', 2, 'inherit'],
    timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    reject: false,
  });
  if (result.failed) {
    const err = result as unknown as ExecaError;
    if ((err.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT' || err.code === 'ENOENT') {
      throw new ExecError(`${cmd} is not installed or not on PATH`, [], `install ${cmd}, or check PATH`);
    }
    const why = err.timedOut ? 'did not finish in time and was stopped' : `failed (exit code ${err.exitCode ?? 'none'})`;
    throw new ExecError([cmd, args[0], why].filter(Boolean).join(' '), []);
  }
  return { stdout: '', stderr: '' };
}

/** Replaces every occurrence of each secret with `***`. */
export function redactor(secrets: readonly string[]): (text: string) => string {
  const active = secrets.filter((s) => s.length >= 4);
  if (active.length === 0) return (t) => t;
  return (text) => active.reduce((acc, s) => acc.split(s).join('***'), text);
}
