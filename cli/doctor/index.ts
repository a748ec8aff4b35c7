/** `shinykit doctor`: run the checks, print one line each, fail if any failed. */
import { marks } from '../lib/io-host.js';
import { runChecks, type CheckResult, type DoctorDeps } from './checks.js';
import { sesEmailChecks } from './email.js';
import { fetchText, identityChecks, type HttpGet } from './identity.js';

export { CHECKS, callbackUrl, runChecks, type Check, type CheckResult, type DoctorDeps } from './checks.js';
export { sesEmailChecks } from './email.js';

export interface DoctorReport {
  readonly ok: boolean;
  readonly failed: number;
  readonly warnings: number;
  readonly checks: readonly CheckResult[];
}

export async function runDoctor(deps: DoctorDeps, opts: { httpGet?: HttpGet } = {}): Promise<DoctorReport> {
  // Identity providers (cognito.identityProviders) add one check each; none without providers.
  // cognito.email adds the SES checks; none without it.
  const checks = [
    ...(await runChecks(deps)),
    ...(await runChecks(deps, identityChecks(deps.config, opts.httpGet ?? fetchText))),
    ...(await runChecks(deps, sesEmailChecks(deps.config))),
  ];
  const failed = checks.filter((c) => c.status === 'fail').length;
  return { ok: failed === 0, failed, warnings: checks.filter((c) => c.status === 'warn').length, checks };
}

/** One line per check (✓ ✗ ! -), and the fix under each ✗ and !. */
export function formatDoctor(report: DoctorReport, color: boolean): string {
  const m = marks(color);
  const sign = { ok: m.ok, fail: m.fail, warn: m.warn, skip: '-' } as const;
  const lines: string[] = [];
  for (const c of report.checks) {
    lines.push(`${sign[c.status]} ${c.title}: ${c.detail}`);
    if (c.fix && (c.status === 'fail' || c.status === 'warn')) lines.push(`    fix: ${c.fix}`);
  }
  const summary = report.ok
    ? `all ${report.checks.length} checks passed${report.warnings ? ` (${report.warnings} warning${report.warnings === 1 ? '' : 's'})` : ''}`
    : `${report.failed} of ${report.checks.length} checks failed`;
  lines.push('', summary);
  return lines.join('\n');
}
