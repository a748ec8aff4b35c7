/**
 * `shinykit users import <file.csv>`: bring the pool in line with a CSV of
 * users (`email,groups,name`). The file is checked whole first (exit 2 and
 * nothing written if any row is bad), then the plan runs concurrently, paced
 * under Cognito's quota, retrying throttled and transient failures.
 */
import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { createContext } from '../../lib/context.js';
import { UsageError, WorkError, plural } from '../../lib/errors.js';
import type { IoHost } from '../../lib/io-host.js';
import { CSV_HEADER, csvField, parseImportCsv, readUsersCsv } from '../../users/csv.js';
import { describeBudget, invitationBudget, InvitationSlots, type InvitationBudget } from '../../users/invitations.js';
import { usersDeps, type UsersDeps } from '../../users/deps.js';
import { executePlan, summarise, type RowOutcome, type RowResult } from '../../users/execute.js';
import { Pacer, type PacerStats } from '../../users/pacer.js';
import { describePlannedRow, planImport, type ExistingUser, type PlannedRow, type PlanAction } from '../../users/plan.js';
import { positiveNumber } from '../../lib/options.js';

/** Well under the 50 requests/s Cognito allows for user creation across the whole account. */
export const DEFAULT_RATE = 20;
/** Enough requests in flight to keep the rate's slots used when Cognito answers slowly. */
export const DEFAULT_CONCURRENCY = 16;

export interface ImportOptions {
  readonly file: string;
  readonly text: string;
  readonly dryRun: boolean;
  readonly exact: boolean;
  readonly invite: boolean;
  /** Requests per second, reads and retries included. */
  readonly rate: number;
  readonly concurrency: number;
  readonly onRow?: (outcome: RowOutcome, done: number, total: number) => void;
  /** For tests: the time the day's email use is measured back from. */
  readonly now?: number;
}

export interface ImportInvitations {
  readonly budget: InvitationBudget;
  /** Dry run: how many of the new users would get an invitation now. Real run: how many did. */
  readonly sent: number;
  /** New users created (or to be created) without an invitation, to send with `users invite`. */
  readonly deferred: ReadonlyArray<{ readonly email: string; readonly groups: readonly string[]; readonly name?: string }>;
  /** True when Cognito refused an invitation (its daily cap) during the run. */
  readonly refused: boolean;
}

export interface ImportReport {
  readonly dryRun: boolean;
  readonly file: string;
  /** Dry run: the planned actions. */
  readonly plan: Record<PlanAction, number>;
  readonly rows: ReadonlyArray<RowOutcome | PlannedRow>;
  /** Real run: per-result counts. */
  readonly summary?: Record<RowResult, number>;
  readonly requests: PacerStats & { seconds: number; perSecond: number; rate: number };
  /** Invitation emails: absent with --no-invite. */
  readonly invitations?: ImportInvitations;
  /** Rows of federated users (an export's provider column) left out: Cognito re-creates them at sign-in. */
  readonly skipped: ReadonlyArray<{ readonly line: number; readonly email: string; readonly provider: string }>;
}

export async function runUsersImport(opts: ImportOptions, deps: Pick<UsersDeps, 'directory' | 'config'>): Promise<ImportReport> {
  const started = Date.now();
  const pacer = new Pacer({ rate: opts.rate }).attach(deps.directory.client);
  const dir = deps.directory.withCall((fn) => pacer.call(fn));
  const poolGroups = await dir.listGroups();
  const parsed = parseImportCsv(opts.text, new Set(poolGroups.map((g) => g.name)));
  if (parsed.problems.length > 0) {
    const lines = new Set(parsed.problems.map((p) => p.line));
    throw new UsageError(`${opts.file}: ${plural(lines.size, 'bad row')}, nothing was imported`, {
      details: parsed.problems.map((p) => `line ${p.line}: ${p.message}`),
      hint: `fix those rows and run again; the header is ${CSV_HEADER.join(',')} and groups are separated by ";"`,
    });
  }
  // Current state, read once: every user, and the members of the groups that matter.
  const referenced = opts.exact ? poolGroups.map((g) => g.name) : [...new Set(parsed.rows.flatMap((r) => r.groups))].sort();
  const groupsByEmail = await dir.groupsByEmail(referenced);
  const existing = new Map<string, ExistingUser>();
  const allUsers = await dir.listUsers();
  for (const u of allUsers) existing.set(u.email, { groups: groupsByEmail.get(u.email) ?? [], ...(u.name ? { name: u.name } : {}) });
  const plan = planImport(parsed.rows, existing, { exact: opts.exact });
  const planCounts: Record<PlanAction, number> = { create: 0, update: 0, unchanged: 0 };
  for (const row of plan) planCounts[row.action]++;

  // The day's invitations, planned within Cognito's email allowance.
  const budget = opts.invite ? invitationBudget(deps.config, allUsers, opts.now ?? Date.now()) : undefined;
  const creates = plan.filter((r) => r.action === 'create').map((r) => r.email);
  const rowsOf = (emails: readonly string[]) => {
    const wanted = new Set(emails);
    return parsed.rows.filter((r) => wanted.has(r.email)).map((r) => ({ email: r.email, groups: r.groups, ...(r.name ? { name: r.name } : {}) }));
  };
  let invitations: ImportInvitations | undefined;
  let rows: ReadonlyArray<RowOutcome | PlannedRow> = plan;
  let summary: Record<RowResult, number> | undefined;
  if (!opts.dryRun) {
    const slots = budget ? new InvitationSlots(budget.available) : undefined;
    const outcomes = await executePlan(plan, dir, {
      concurrency: opts.concurrency,
      invite: opts.invite,
      exact: opts.exact,
      slots,
      onRow: (o, done) => opts.onRow?.(o, done, plan.length),
    });
    rows = outcomes;
    summary = summarise(outcomes);
    if (budget) {
      invitations = {
        budget,
        sent: outcomes.filter((o) => o.invitation === 'sent').length,
        deferred: rowsOf(outcomes.filter((o) => o.invitation === 'deferred').map((o) => o.email)),
        refused: slots!.wasRefused,
      };
    }
  } else if (budget) {
    const now = Math.min(creates.length, budget.available);
    invitations = { budget, sent: now, deferred: rowsOf(creates.slice(now)), refused: false };
  }
  const seconds = (Date.now() - started) / 1000;
  return {
    dryRun: opts.dryRun,
    file: opts.file,
    plan: planCounts,
    rows,
    ...(summary ? { summary } : {}),
    requests: { ...pacer.stats, seconds, perSecond: seconds > 0 ? pacer.stats.requests / seconds : 0, rate: opts.rate },
    ...(invitations ? { invitations } : {}),
    skipped: parsed.skipped,
  };
}

/** `students.csv` → `students.uninvited.csv`: where an import queues the invitations it could not send. */
export function queueFileFor(file: string): string {
  return `${file.replace(/\.csv$/i, '')}.uninvited.csv`;
}

/** The queue in the import format, so `users invite --file` (and `users import`) read it. */
export function formatQueue(rows: ReadonlyArray<{ email: string; groups: readonly string[]; name?: string }>): string {
  return `${[CSV_HEADER.join(','), ...rows.map((r) => [r.email, r.groups.join(';'), r.name ?? ''].map(csvField).join(','))].join('\n')}\n`;
}

export function importCommand(): Command {
  return new Command('import')
    .description('create and update users from a CSV file with the header email,groups,name (groups separated by ";")')
    .argument('<file>', 'the CSV file')
    .option('--dry-run', 'print what would change (create / update / unchanged) without changing anything')
    .option('--exact', "also remove groups a listed user has but the row does not name (default: only add)")
    .option('--no-invite', 'create users without sending the invitation email')
    .option('--rate <n>', 'requests per second, reads and retries included (Cognito allows 50/s for user creation across the whole account)', positiveNumber('--rate'), DEFAULT_RATE)
    .option('--concurrency <n>', 'rows worked on at once', positiveNumber('--concurrency', true), DEFAULT_CONCURRENCY)
    .option('--json', 'print the plan or the per-row outcomes as JSON')
    .addHelpText(
      'after',
      [
        '',
        'The file:',
        '  email,groups,name',
        '  ana@example.org,shiny_users;dash_users,Ana Lima',
        '  bo@example.org,dash_users,',
        '',
        'Every row is checked before anything is written; bad rows are listed by line (exit 2).',
        'An import only adds: new users are created and missing groups added; groups a user',
        'already has stay (use --exact to make them exactly the listed ones). Users not in the',
        'file are never touched. Running the same file again is safe and finishes what an',
        'interrupted run left undone. Exit 1 if any row failed; the failed rows are listed.',
        '',
        "Without cognito.email (Amazon SES), Cognito's own sender emails at most 50 invitations",
        'a day per account: the import sends what the day allows, creates the other new users',
        'without an invitation and lists them in <file>.uninvited.csv for `users invite --file`.',
      ].join('\n'),
    )
    .action(
      async (
        file: string,
        o: { dryRun?: boolean; exact?: boolean; invite: boolean; rate: number; concurrency: number; json?: boolean },
        cmd: Command,
      ) => {
        const text = readUsersCsv(file);
        const ctx = createContext(cmd);
        const deps = await usersDeps(ctx, { bulk: true });
        const progress = ctx.out.counter('importing', 'rows');
        const onRow = (row: RowOutcome, done: number, total: number) => progress.update(done, total, row.result === 'failed');
        const report = await runUsersImport(
          { file, text, dryRun: Boolean(o.dryRun), exact: Boolean(o.exact), invite: o.invite, rate: o.rate, concurrency: o.concurrency, onRow },
          deps,
        );
        progress.finish();
        const queue = !report.dryRun && report.invitations && report.invitations.deferred.length > 0 ? queueFileFor(file) : undefined;
        if (queue) writeFileSync(queue, formatQueue(report.invitations!.deferred), { mode: 0o600 });
        printReport(report, ctx.out, Boolean(o.json), queue);
        const failed = report.rows.filter((r): r is RowOutcome => 'result' in r && r.result === 'failed');
        if (failed.length > 0) {
          throw new WorkError(`${plural(failed.length, 'row')} of ${file} failed`, {
            details: failed.map((r) => `line ${r.line} ${r.email}: ${r.error ?? 'failed'}`),
            hint: 'run the same import again: rows already done are left as they are, and the failed ones are retried',
          });
        }
      },
    );
}

function printReport(report: ImportReport, out: IoHost, json: boolean, queue?: string): void {
  if (json) {
    out.json({ ...report, ...(queue ? { queueFile: queue } : {}) });
    return;
  }
  const r = report.requests;
  for (const s of report.skipped) out.info(`line ${s.line}  skipped    ${s.email}: signs in through ${s.provider}; Cognito re-creates the account at their next sign-in`);
  const inv = report.invitations;
  if (report.dryRun) {
    for (const row of report.rows as PlannedRow[]) out.result(describePlannedRow(row));
    const p = report.plan;
    out.info(`dry run, nothing changed: ${p.create} to create, ${p.update} to update, ${p.unchanged} unchanged`);
    if (inv && (inv.sent > 0 || inv.deferred.length > 0)) {
      out.info(`invitations: ${inv.sent} would be emailed now, ${inv.deferred.length} created without one (to send later with \`shinykit users invite\`)`);
      if (inv.budget.sender === 'cognito') out.info(`  ${describeBudget(inv.budget)}`);
    }
    return;
  }
  for (const row of report.rows as RowOutcome[]) {
    const changes = [...row.addedGroups.map((g) => `+${g}`), ...row.removedGroups.map((g) => `-${g}`)].join(' ');
    const tail = row.result === 'failed' ? `  ${row.error ?? ''}` : changes ? `  ${changes}` : '';
    const invited = row.invitation === 'deferred' ? '  (no invitation yet)' : '';
    out.result(`line ${row.line}  ${row.result.padEnd(9)}  ${row.email}${tail}${invited}`);
  }
  const s = report.summary!;
  out.info(
    `imported ${report.rows.length} rows in ${r.seconds.toFixed(1)} s: ${s.created} created, ${s.updated} updated, ` +
      `${s.unchanged} unchanged, ${s.failed} failed (${r.requests} requests at ${r.perSecond.toFixed(1)}/s, limit ${r.rate}/s; ${r.retries} retried)`,
  );
  if (inv && (inv.sent > 0 || inv.deferred.length > 0)) {
    out.info(`invitations: ${inv.sent} emailed today, ${inv.deferred.length} not sent yet`);
    if (inv.budget.sender === 'cognito') out.info(`  ${describeBudget(inv.budget)}`);
    if (inv.refused) out.info('  Cognito refused an invitation for its daily email limit: the rest were created without one');
    if (queue) {
      out.info(
        `  the ${inv.deferred.length} waiting are listed in ${queue}: run \`shinykit users invite --file ${queue}\` on the coming days; ` +
          'each run sends what the day allows and leaves the rest in the file',
      );
    }
  }
}
