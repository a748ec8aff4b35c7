/**
 * `shinykit preflight`: run the checks (cli/preflight/checks.ts) with the
 * user's credentials, one line each; the report says whether a deploy would
 * hit a known failure. Read-only.
 */
import type { CheckResult } from '../doctor/checks.js';
import { sdk } from '../lib/aws.js';
import { PREFLIGHT_CHECKS, readKitState, type KitState, type PreflightCheck, type PreflightDeps } from './checks.js';

export interface PreflightReport {
  readonly ok: boolean;
  readonly failed: number;
  readonly warnings: number;
  readonly account?: string;
  readonly region: string;
  readonly checks: readonly CheckResult[];
}

export async function runPreflight(deps: PreflightDeps, checks: readonly PreflightCheck[] = PREFLIGHT_CHECKS): Promise<PreflightReport> {
  const results: CheckResult[] = [];
  const selected = checks.filter((c) => c.when?.(deps.config) ?? true);
  let kit: KitState | undefined;
  let account: string | undefined;
  try {
    account = (await deps.sts().send(new (sdk.sts().GetCallerIdentityCommand)({}))).Account ?? '';
    kit = await readKitState(deps, account);
    const deployed = [...kit.stacks.keys()];
    results.push({
      id: 'credentials',
      title: 'AWS credentials and target',
      status: 'ok',
      detail: `account ${account}, region ${deps.region}; ${deployed.length ? `deployed stacks: ${deployed.join(', ')}` : 'the kit is not deployed yet'}`,
    });
  } catch (err) {
    // Without an identity nothing else can be checked: say so once, skip the rest.
    results.push({ id: 'credentials', title: 'AWS credentials and target', status: 'fail', detail: describe(err), fix: awsFix(err) });
    for (const c of selected) results.push({ id: c.id, title: c.title, status: 'skip', detail: 'needs working credentials (see the first check)' });
    return report(results, deps.region, account);
  }
  for (const check of selected) {
    let r: Omit<CheckResult, 'id' | 'title'>;
    try {
      r = await check.run(deps, kit);
    } catch (err) {
      r = { status: 'fail', detail: describe(err), fix: awsFix(err) };
    }
    results.push({ id: check.id, title: check.title, ...r });
  }
  return report(results, deps.region, account);
}

function report(checks: CheckResult[], region: string, account: string | undefined): PreflightReport {
  const failed = checks.filter((c) => c.status === 'fail').length;
  return { ok: failed === 0, failed, warnings: checks.filter((c) => c.status === 'warn').length, account, region, checks };
}

function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name !== 'Error' ? `${err.name}: ` : ''}${err.message}`;
  return String(err);
}

function awsFix(err: unknown): string {
  const text = describe(err);
  if (/credential|ExpiredToken|UnrecognizedClient|InvalidClientTokenId|security token/i.test(text)) {
    return 'check your AWS credentials (--profile, AWS_PROFILE, or `aws sso login`) and --region';
  }
  if (/AccessDenied|NotAuthorized|UnauthorizedOperation/i.test(text)) {
    return 'the credentials in use may not read this; preflight needs the read-only calls a deploying role has (Describe*/Get*/List*)';
  }
  return 'run again with --debug; if it persists, check the region and your network';
}
