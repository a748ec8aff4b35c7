/** `shinykit doctor`'s report and its format, shared with `preflight` (the command and runDoctor: cli/commands/doctor.ts). */
import { marks } from '../lib/io-host.js';
import type { CheckResult } from './checks.js';

export { CHECKS, callbackUrl, runChecks, type Check, type CheckResult, type DoctorDeps } from './checks.js';
export { sesEmailChecks } from './email.js';

export interface DoctorReport {
  readonly ok: boolean;
  readonly failed: number;
  readonly warnings: number;
  readonly checks: readonly CheckResult[];
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
