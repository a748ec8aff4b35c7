/**
 * Typed errors and the one place that turns them into exit codes (DESIGN.md):
 * 0 success; 1 a failure while doing the work (AWS, Docker, network);
 * 2 bad usage or bad input (config, CSV, flags).
 */
import { CommanderError } from 'commander';
import { ConfigError, formatProblem, InputError } from '../../lib/errors.js';

export const ExitCode = { Ok: 0, Failure: 1, Usage: 2 } as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface ShinykitErrorOptions {
  /** What to do about it; printed on its own line after the message. */
  readonly hint?: string;
  /** Lines of detail shown under the message (a log tail, bad rows, ...). */
  readonly details?: readonly string[];
  readonly cause?: unknown;
}

/** Base error: a message a user can act on, and the exit code it maps to. */
export class ShinykitError extends Error {
  readonly hint?: string;
  readonly details: readonly string[];
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue,
    opts: ShinykitErrorOptions = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = new.target.name;
    this.hint = opts.hint;
    this.details = opts.details ?? [];
  }
}

/**
 * The command already said everything (a `--json` report on stdout): exit with
 * `exitCode` and print nothing more.
 */
export class QuietExit extends Error {
  constructor(readonly exitCode: ExitCodeValue) {
    super(`exit ${exitCode}`);
    this.name = 'QuietExit';
  }
}

/** Bad usage or bad input: exit 2. */
export class UsageError extends ShinykitError {
  constructor(message: string, opts: ShinykitErrorOptions = {}) {
    super(message, ExitCode.Usage, opts);
  }
}

/** The work failed (AWS, Docker, network, the host): exit 1. */
export class WorkError extends ShinykitError {
  constructor(message: string, opts: ShinykitErrorOptions = {}) {
    super(message, ExitCode.Failure, opts);
  }
}

export interface Reported {
  readonly exitCode: ExitCodeValue;
  /** Lines for stderr. */
  readonly lines: string[];
}

/** Maps any thrown value to an exit code and the lines to print; stack only with --debug. */
export function reportError(err: unknown, debug = false): Reported {
  if (err instanceof CommanderError) {
    // commander already printed its message (to stderr) through configureOutput.
    const ok = err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0;
    return { exitCode: ok ? ExitCode.Ok : ExitCode.Usage, lines: [] };
  }
  if (err instanceof ConfigError) {
    const lines = [`error: ${err.file} is not a valid shinykit config (${plural(err.problems.length, 'problem')}):`];
    for (const p of err.problems) lines.push(`  ${formatProblem(err.file, p)}`);
    return { exitCode: ExitCode.Usage, lines: withStack(lines, err, debug) };
  }
  if (err instanceof QuietExit) return { exitCode: err.exitCode, lines: [] };
  if (err instanceof ShinykitError || err instanceof InputError) {
    const details = err instanceof ShinykitError ? err.details : [];
    const lines = [`error: ${err.message}`, ...details.map((d) => `  ${d}`)];
    if (err.hint) lines.push(`hint: ${err.hint}`);
    const exitCode = err instanceof ShinykitError ? err.exitCode : ExitCode.Usage;
    return { exitCode, lines: withStack(lines, err, debug) };
  }
  const aws = describeAwsError(err);
  if (aws) return { exitCode: ExitCode.Failure, lines: withStack(aws, err, debug) };
  const message = err instanceof Error ? err.message : String(err);
  return {
    exitCode: ExitCode.Failure,
    lines: withStack([`error: ${message}`, 'hint: run again with --debug for the full trace'], err, debug),
  };
}

/** AWS SDK errors carry a name and $metadata; say which service call failed and why. */
function describeAwsError(err: unknown): string[] | undefined {
  if (!(err instanceof Error) || !('$metadata' in err)) return undefined;
  const name = err.name;
  const lines = [`error: AWS rejected the request: ${name}: ${err.message}`];
  if (/CredentialsProviderError|ExpiredToken|UnrecognizedClient|InvalidClientTokenId/i.test(name + err.message)) {
    lines.push('hint: check your AWS credentials (--profile, AWS_PROFILE, or `aws sso login`)');
  } else if (/AccessDenied|NotAuthorized/i.test(name)) {
    lines.push('hint: the credentials in use lack this permission; use a profile that may manage this deployment');
  }
  return lines;
}

function withStack(lines: string[], err: unknown, debug: boolean): string[] {
  if (debug && err instanceof Error && err.stack) lines.push(err.stack);
  return lines;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
