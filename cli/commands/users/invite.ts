/**
 * `shinykit users invite <email...> | --file <csv>`: send invitations that are
 * still owed: users created without one (`--no-invite`, or an import that hit the
 * day's email allowance). Only users who never signed in (FORCE_CHANGE_PASSWORD)
 * get one; each gets a new temporary password, so the previous email stops
 * working. Within Cognito's daily cap when the pool uses Cognito's own sender.
 */
import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { createContext } from '../../lib/context.js';
import { UsageError, WorkError, plural } from '../../lib/errors.js';
import { CSV_HEADER, parseImportCsv, readUsersCsv, type ImportRow } from '../../users/csv.js';
import { usersDeps, type UsersDeps } from '../../users/deps.js';
import { isEmailCapError } from '../../users/directory.js';
import { requireEmail } from '../../users/email.js';
import { describeBudget, invitationBudget, InvitationSlots, type InvitationBudget } from '../../users/invitations.js';
import { formatQueue } from './import.js';

export type InviteResult = 'sent' | 'waiting' | 'refused' | 'failed' | 'signed-in';

export interface InviteOutcome {
  readonly email: string;
  readonly result: InviteResult;
  readonly error?: string;
}

export interface InviteReport {
  readonly budget: InvitationBudget;
  readonly outcomes: readonly InviteOutcome[];
}

export async function runUsersInvite(
  opts: {
    readonly emails: readonly string[];
    readonly now?: number;
    /** Called after each user (progress display). */
    readonly onUser?: (outcome: InviteOutcome, done: number, total: number) => void;
  },
  deps: Pick<UsersDeps, 'directory' | 'config'>,
): Promise<InviteReport> {
  const dir = deps.directory;
  // One paginated walk serves both the check that every user exists and the day's email estimate.
  const users = await dir.listUsers();
  const byEmail = new Map(users.map((u) => [u.email, u]));
  const unknown = opts.emails.filter((e) => !byEmail.has(e));
  if (unknown.length > 0) {
    throw new UsageError(`no user ${unknown.join(', ')} in the user pool ${dir.poolId}; nothing was sent`, {
      hint: 'create them with `shinykit users add` (or `users import`), which sends the invitation',
    });
  }
  const budget = invitationBudget(deps.config, users, opts.now ?? Date.now());
  const slots = new InvitationSlots(budget.available);
  const outcomes: InviteOutcome[] = [];
  for (const email of opts.emails) {
    const outcome = await inviteOne(email);
    outcomes.push(outcome);
    opts.onUser?.(outcome, outcomes.length, opts.emails.length);
  }
  return { budget, outcomes };

  async function inviteOne(email: string): Promise<InviteOutcome> {
    if (byEmail.get(email)!.status !== 'FORCE_CHANGE_PASSWORD') return { email, result: 'signed-in' };
    if (!slots.take()) return { email, result: 'waiting' };
    try {
      await dir.resendInvitation(email);
      return { email, result: 'sent' };
    } catch (err) {
      if (isEmailCapError(err)) {
        slots.closeRefused();
        return { email, result: 'refused', error: (err as Error).message };
      }
      return { email, result: 'failed', error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
    }
  }
}

export function inviteCommand(): Command {
  return new Command('invite')
    .description("send the invitation email to users who never signed in (those created without one); within Cognito's daily email cap")
    .argument('[email...]', 'the users')
    .option('-f, --file <csv>', 'the users listed in this CSV (header email,groups,name; e.g. the <file>.uninvited.csv an import wrote); those invited are removed from it')
    .option('--json', 'print the outcome per user as JSON')
    .action(async (raw: string[], o: { file?: string; json?: boolean }, cmd: Command) => {
      if (raw.length === 0 && !o.file) {
        throw new UsageError('name the users to invite, or pass --file <csv>', { hint: 'e.g. `shinykit users invite ana@example.org` or `shinykit users invite --file students.uninvited.csv`' });
      }
      const ctx = createContext(cmd);
      const deps = await usersDeps(ctx);
      let fileRows: ImportRow[] = [];
      if (o.file) {
        const known = new Set((await deps.directory.listGroups()).map((g) => g.name));
        const parsed = parseImportCsv(readUsersCsv(o.file), known);
        if (parsed.problems.length > 0) {
          throw new UsageError(`${o.file}: ${plural(new Set(parsed.problems.map((p) => p.line)).size, 'bad row')}, nothing was sent`, {
            details: parsed.problems.map((p) => `line ${p.line}: ${p.message}`),
            hint: `the file has the header ${CSV_HEADER.join(',')}`,
          });
        }
        fileRows = [...parsed.rows];
      }
      const emails = [...new Set([...raw.map(requireEmail), ...fileRows.map((r) => r.email)])];
      const progress = ctx.out.counter('inviting', 'users');
      const report = await runUsersInvite({ emails, onUser: (x, done, total) => progress.update(done, total, x.result === 'failed') }, deps);
      progress.finish();
      const waiting = new Set(report.outcomes.filter((x) => x.result === 'waiting' || x.result === 'refused' || x.result === 'failed').map((x) => x.email));
      if (o.file) writeFileSync(o.file, formatQueue(fileRows.filter((r) => waiting.has(r.email))), { mode: 0o600 });

      if (o.json) ctx.out.json(report);
      else {
        for (const x of report.outcomes) {
          const what = {
            sent: 'invitation sent (with a new temporary password)',
            waiting: "not sent: today's email allowance is used up",
            refused: 'not sent: Cognito refused it (daily email limit)',
            failed: `not sent: ${x.error ?? 'failed'}`,
            'signed-in': 'skipped: has signed in already (use `shinykit users reset` for a new password)',
          }[x.result];
          ctx.out.result(`${x.email}  ${what}`);
        }
        const sent = report.outcomes.filter((x) => x.result === 'sent').length;
        ctx.out.info(`${plural(sent, 'invitation')} sent, ${waiting.size} still waiting${o.file && waiting.size > 0 ? ` (kept in ${o.file}: run the same command again tomorrow)` : ''}`);
        if (report.budget.sender === 'cognito' && waiting.size > 0) ctx.out.info(`  ${describeBudget(report.budget)}`);
      }
      const bad = report.outcomes.filter((x) => x.result === 'refused' || x.result === 'failed');
      if (bad.length > 0) {
        throw new WorkError(`${plural(bad.length, 'invitation')} not sent`, {
          details: bad.map((x) => `${x.email}: ${x.error ?? x.result}`),
          hint: o.file ? `they stay in ${o.file}; run the same command again later` : 'run the same command again later, or set cognito.email to send through Amazon SES',
        });
      }
    });
}
