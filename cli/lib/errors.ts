/**
 * Typed errors and the one place that turns them into exit codes (DESIGN.md):
 * 0 success; 1 a failure while doing the work (AWS, Docker, network);
 * 2 bad usage or bad input (config, CSV, flags).
 */
import { CommanderError } from 'commander';
import { ConfigError, formatProblem, InputError } from '../../lib/errors.js';
import { profileInfo } from './aws-profile.js';

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

/** What the error mapper may know about the run, to word AWS-setup errors in the user's terms. */
export interface ReportContext {
  /** --profile, when given. */
  readonly profile?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Ctrl-C at a prompt: exit 130 (128 + SIGINT), as shells expect, with no hint. */
/** Ctrl-C at a prompt: exit 130, as shells report SIGINT, with nothing more to say. */
export class InterruptedError extends QuietExit {
  constructor() {
    super(130 as ExitCodeValue);
  }
}

/** Maps any thrown value to an exit code and the lines to print; stack only with --debug. */
export function reportError(err: unknown, debug = false, context: ReportContext = {}): Reported {
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
  const aws = describeAwsError(err, context);
  if (aws) {
    const lines = [`error: ${aws.message}`, ...(aws.hint ? [`hint: ${aws.hint}`] : [])];
    return { exitCode: aws.usage ? ExitCode.Usage : ExitCode.Failure, lines: withStack(lines, err, debug) };
  }
  const message = err instanceof Error ? err.message : String(err);
  return {
    exitCode: ExitCode.Failure,
    lines: withStack([`error: ${message}`, ...(debug ? [] : ['hint: run again with --debug for the full trace'])], err, debug),
  };
}

export interface AwsProblem {
  readonly message: string;
  readonly hint?: string;
  /** A setup problem the user fixes (exit 2) rather than a failure of the work (exit 1). */
  readonly usage: boolean;
}

/**
 * AWS SDK and credential-chain errors in the user's terms: which setup is missing
 * (credentials, profile, region) and what to run. Undefined for anything else.
 * Service errors keep AWS's own code and message; a response the SDK could not
 * parse (an HTML error page from a proxy, a wrong endpoint) is never shown as
 * the SDK's deserialization internals.
 */
export function describeAwsError(err: unknown, context: ReportContext = {}): AwsProblem | undefined {
  if (!(err instanceof Error)) return undefined;
  const env = context.env ?? process.env;
  const text = `${err.name}: ${err.message}`;
  const profileName = context.profile ?? env.AWS_PROFILE;
  if (/Region is missing|region.*not.*(set|configured)|ConfigError: Missing region/i.test(text)) {
    return {
      message: 'no AWS region is set',
      hint: 'set region in shinykit.yaml, pass --region <region>, or set AWS_REGION (or a region in your AWS profile)',
      usage: true,
    };
  }
  if (profileName && /profile|credentials/i.test(text) && !('$metadata' in err)) {
    const profile = profileInfo(profileName, env);
    if (!profile.exists) {
      return {
        message: `the AWS profile "${profile.name}" does not exist (it is in neither ~/.aws/config nor ~/.aws/credentials)`,
        hint: `create it with \`aws configure --profile ${profile.name}\` (or \`aws configure sso --profile ${profile.name}\`), or pass another --profile`,
        usage: true,
      };
    }
    if (profile.sso || /sso|token/i.test(text)) {
      return {
        message: `the AWS profile "${profile.name}" has no valid sign-in (its IAM Identity Center session has expired or was never started)`,
        hint: `sign in with \`aws sso login --profile ${profile.name}\`, then run the command again`,
        usage: true,
      };
    }
  }
  if (/CredentialsProviderError|Could not load credentials|Unable to locate credentials/i.test(text)) {
    return {
      message: profileName ? `no AWS credentials for the profile "${profileName}"` : 'no AWS credentials found',
      hint: 'configure them: `aws configure` (or `aws configure sso` and `aws sso login`), AWS_PROFILE / --profile, or the AWS_ACCESS_KEY_ID environment variables',
      usage: true,
    };
  }
  if (/TokenProviderError|SSO.*(expired|token)|refresh.*token/i.test(text)) {
    return {
      message: 'your AWS sign-in (IAM Identity Center) has expired',
      hint: `sign in again: \`aws sso login${profileName ? ` --profile ${profileName}` : ''}\``,
      usage: true,
    };
  }
  if (!('$metadata' in err) && !('$response' in err)) return undefined;
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? (err as { $response?: { statusCode?: number } }).$response?.statusCode;
  if (/Deserialization error|\$response|Unexpected token|is not valid JSON|char '.' is not expected/i.test(err.message) || err.name === 'SyntaxError') {
    return {
      message: `AWS answered with something that is not an AWS response${status ? ` (HTTP ${status})` : ''}: a proxy, a captive portal or a wrong endpoint is in the way`,
      hint: 'check HTTPS_PROXY, AWS_ENDPOINT_URL* and --region, then try again',
      usage: false,
    };
  }
  if (/ExpiredToken|UnrecognizedClient|InvalidClientTokenId|security token/i.test(text)) {
    return {
      message: `AWS refused the credentials (${err.name})`,
      hint: `they are expired or wrong: refresh them (\`aws sso login${profileName ? ` --profile ${profileName}` : ''}\`, or new access keys)`,
      usage: true,
    };
  }
  if (/AccessDenied|NotAuthorized|UnauthorizedOperation/i.test(err.name)) {
    return {
      message: `AWS denied the request: ${err.message}`,
      hint: 'the credentials in use lack this permission; use a profile that may manage this deployment',
      usage: false,
    };
  }
  return { message: `AWS rejected the request: ${err.name}: ${err.message}`, usage: false };
}

function withStack(lines: string[], err: unknown, debug: boolean): string[] {
  if (debug && err instanceof Error && err.stack) lines.push(err.stack);
  return lines;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
