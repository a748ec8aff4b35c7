/**
 * `shinykit users import <file.csv>`: bring the pool in line with a CSV of
 * users (`email,groups,name`). The file is checked whole first (exit 2 and
 * nothing written if any row is bad), then the plan runs concurrently, paced
 * under Cognito's quota, retrying throttled and transient failures.
 */
import { readFileSync } from 'node:fs';
import { stderr } from 'node:process';
import { Command } from 'commander';
import { createContext } from '../../lib/context.js';
import { UsageError, WorkError, plural } from '../../lib/errors.js';
import type { Output } from '../../lib/output.js';
import { CSV_HEADER, parseImportCsv } from '../../users/csv.js';
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
}

export async function runUsersImport(opts: ImportOptions, deps: Pick<UsersDeps, 'directory'>): Promise<ImportReport> {
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
  for (const u of await dir.listUsers()) existing.set(u.email, { groups: groupsByEmail.get(u.email) ?? [], ...(u.name ? { name: u.name } : {}) });
  const plan = planImport(parsed.rows, existing, { exact: opts.exact });
  const planCounts: Record<PlanAction, number> = { create: 0, update: 0, unchanged: 0 };
  for (const row of plan) planCounts[row.action]++;

  let rows: ReadonlyArray<RowOutcome | PlannedRow> = plan;
  let summary: Record<RowResult, number> | undefined;
  if (!opts.dryRun) {
    const outcomes = await executePlan(plan, dir, {
      concurrency: opts.concurrency,
      invite: opts.invite,
      exact: opts.exact,
      onRow: (o, done) => opts.onRow?.(o, done, plan.length),
    });
    rows = outcomes;
    summary = summarise(outcomes);
  }
  const seconds = (Date.now() - started) / 1000;
  return {
    dryRun: opts.dryRun,
    file: opts.file,
    plan: planCounts,
    rows,
    ...(summary ? { summary } : {}),
    requests: { ...pacer.stats, seconds, perSecond: seconds > 0 ? pacer.stats.requests / seconds : 0, rate: opts.rate },
  };
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
      ].join('\n'),
    )
    .action(
      async (
        file: string,
        o: { dryRun?: boolean; exact?: boolean; invite: boolean; rate: number; concurrency: number; json?: boolean },
        cmd: Command,
      ) => {
        const text = readCsv(file);
        const ctx = createContext(cmd);
        const deps = await usersDeps(ctx, { bulk: true });
        const progress = progressLine(ctx.out);
        const report = await runUsersImport(
          { file, text, dryRun: Boolean(o.dryRun), exact: Boolean(o.exact), invite: o.invite, rate: o.rate, concurrency: o.concurrency, onRow: progress.update },
          deps,
        );
        progress.clear();
        printReport(report, ctx.out, Boolean(o.json));
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

function readCsv(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${file}${code === 'ENOENT' ? ': no such file' : ` (${code ?? String(err)})`}`, {
      hint: `pass a CSV file whose first line is ${CSV_HEADER.join(',')}`,
    });
  }
}

function printReport(report: ImportReport, out: Output, json: boolean): void {
  if (json) {
    out.json(report);
    return;
  }
  const r = report.requests;
  if (report.dryRun) {
    for (const row of report.rows as PlannedRow[]) out.result(describePlannedRow(row));
    const p = report.plan;
    out.info(`dry run, nothing changed: ${p.create} to create, ${p.update} to update, ${p.unchanged} unchanged`);
    return;
  }
  for (const row of report.rows as RowOutcome[]) {
    const changes = [...row.addedGroups.map((g) => `+${g}`), ...row.removedGroups.map((g) => `-${g}`)].join(' ');
    const tail = row.result === 'failed' ? `  ${row.error ?? ''}` : changes ? `  ${changes}` : '';
    out.result(`line ${row.line}  ${row.result.padEnd(9)}  ${row.email}${tail}`);
  }
  const s = report.summary!;
  out.info(
    `imported ${report.rows.length} rows in ${r.seconds.toFixed(1)} s: ${s.created} created, ${s.updated} updated, ` +
      `${s.unchanged} unchanged, ${s.failed} failed (${r.requests} requests at ${r.perSecond.toFixed(1)}/s, limit ${r.rate}/s; ${r.retries} retried)`,
  );
}

/** A single self-rewriting progress line on a terminal; silent otherwise (CI, pipes). */
function progressLine(out: Output): { update: (o: RowOutcome, done: number, total: number) => void; clear: () => void } {
  if (!out.interactive) return { update: () => undefined, clear: () => undefined };
  let failed = 0;
  let last = 0;
  let shown = false;
  return {
    update: (o, done, total) => {
      if (o.result === 'failed') failed++;
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      shown = true;
      stderr.write(`\r\u001b[2Kimporting ${done}/${total} rows${failed ? ` (${failed} failed)` : ''}`);
    },
    clear: () => {
      if (shown) stderr.write('\r\u001b[2K');
    },
  };
}

