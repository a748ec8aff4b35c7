/**
 * `shinykit preflight`'s report (the command and runPreflight are in cli/commands/preflight.ts):
 * the checks' results, whether a deploy would hit a known failure, and an AWS error in words.
 */
import type { CheckResult } from '../doctor/checks.js';

export interface PreflightReport {
  readonly ok: boolean;
  readonly failed: number;
  readonly warnings: number;
  readonly account?: string;
  readonly region: string;
  readonly checks: readonly CheckResult[];
}

/** The report of these results. */
export function preflightReportOf(checks: CheckResult[], region: string, account: string | undefined): PreflightReport {
  const failed = checks.filter((c) => c.status === 'fail').length;
  return { ok: failed === 0, failed, warnings: checks.filter((c) => c.status === 'warn').length, account, region, checks };
}

/** An error as one line: its name (unless plain Error) and message. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name !== 'Error' ? `${err.name}: ` : ''}${err.message}`;
  return String(err);
}

/** What to do about an AWS error a check hit. */
export function awsFix(err: unknown): string {
  const text = describeError(err);
  if (/credential|ExpiredToken|UnrecognizedClient|InvalidClientTokenId|security token/i.test(text)) {
    return 'check your AWS credentials (--profile, AWS_PROFILE, or `aws sso login`) and --region';
  }
  if (/AccessDenied|NotAuthorized|UnauthorizedOperation/i.test(text)) {
    return 'the credentials in use may not read this; preflight needs the read-only calls a deploying role has (Describe*/Get*/List*)';
  }
  return 'run again with --debug; if it persists, check the region and your network';
}
