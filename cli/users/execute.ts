/**
 * Carries out an import plan: rows run concurrently, every request paced and
 * retried by the Pacer. A row that still fails is recorded and the others go
 * on; the caller reports the failures and exits 1. Each step is idempotent
 * (create → "already exists" is fine, group adds/removes repeat harmlessly), so
 * running the import again after an interruption converges.
 */
import { isEmailCapError, type Directory } from './directory.js';
import type { InvitationSlots } from './invitations.js';
import { mapConcurrent } from '../lib/concurrency.js';
import type { PlannedRow, PlanAction } from './plan.js';

export type RowResult = 'created' | 'updated' | 'unchanged' | 'failed';

export interface RowOutcome {
  readonly line: number;
  readonly email: string;
  readonly planned: PlanAction;
  readonly result: RowResult;
  readonly addedGroups: readonly string[];
  readonly removedGroups: readonly string[];
  /** Why the row failed (the last error after retries). */
  readonly error?: string;
  /**
   * New users only. sent: Cognito accepted the invitation email; deferred: created
   * without one (the day's email allowance is used up, or Cognito refused it) and
   * to be sent with `users invite`; none: --no-invite.
   */
  readonly invitation?: 'sent' | 'deferred' | 'none';
}

export interface ExecuteOptions {
  readonly concurrency: number;
  readonly invite: boolean;
  readonly exact: boolean;
  /** Invitation emails this run may send (Cognito's built-in sender is capped); absent: no limit. */
  readonly slots?: InvitationSlots;
  /** Called after each row finishes (progress display). */
  readonly onRow?: (outcome: RowOutcome, done: number) => void;
}

/** `dir` is the caller's paced directory (`Directory.withCall` with the Pacer). */
export async function executePlan(plan: readonly PlannedRow[], dir: Directory, opts: ExecuteOptions): Promise<RowOutcome[]> {
  let done = 0;
  return mapConcurrent(plan, opts.concurrency, async (row) => {
    const outcome = await applyRow(row, dir, opts);
    opts.onRow?.(outcome, ++done);
    return outcome;
  });
}

async function applyRow(row: PlannedRow, dir: Directory, opts: ExecuteOptions): Promise<RowOutcome> {
  const base = { line: row.line, email: row.email, planned: row.action };
  if (row.action === 'unchanged') return { ...base, result: 'unchanged', addedGroups: [], removedGroups: [] };
  const added: string[] = [];
  const removed: string[] = [];
  let invitation: RowOutcome['invitation'];
  let created = false;
  try {
    let removeGroups = row.removeGroups;
    if (row.action === 'create') {
      const invite = opts.invite && (opts.slots?.take() ?? true);
      invitation = !opts.invite ? 'none' : invite ? 'sent' : 'deferred';
      let made: 'created' | 'exists';
      try {
        made = await dir.createUser({ email: row.email, name: row.name, invite });
      } catch (err) {
        if (!invite || !isEmailCapError(err)) throw err;
        // Cognito refused the email: create the user without it (whether or not the
        // refused call created them) and send no more invitations this run.
        opts.slots?.closeRefused();
        invitation = 'deferred';
        made = await dir.createUser({ email: row.email, name: row.name, invite: false });
      }
      created = true;
      // A user who already existed got no invitation from this run.
      if (made === 'exists' && invitation === 'sent') invitation = 'none';
      if (made === 'exists') {
        // Created since the plan was made (another run, or our own earlier attempt whose answer was lost).
        if (row.name) await dir.setName(row.email, row.name);
        if (opts.exact) {
          const wants = new Set(row.addGroups);
          removeGroups = (await dir.groupsOf(row.email)).filter((g) => !wants.has(g));
        }
      }
    } else if (row.setName && row.name) {
      await dir.setName(row.email, row.name);
    }
    for (const group of row.addGroups) {
      await dir.addToGroup(row.email, group);
      added.push(group);
    }
    for (const group of removeGroups) {
      await dir.removeFromGroup(row.email, group);
      removed.push(group);
    }
    return {
      ...base,
      result: row.action === 'create' ? 'created' : 'updated',
      addedGroups: added,
      removedGroups: removed,
      ...(invitation ? { invitation } : {}),
    };
  } catch (err) {
    const error = err instanceof Error ? `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}` : String(err);
    // The invitation went out if the user was created before the failure.
    return { ...base, result: 'failed', addedGroups: added, removedGroups: removed, error, ...(created && invitation ? { invitation } : {}) };
  }
}

/** Counts per result, for the summary line. */
export function summarise(outcomes: readonly RowOutcome[]): Record<RowResult, number> {
  const counts: Record<RowResult, number> = { created: 0, updated: 0, unchanged: 0, failed: 0 };
  for (const o of outcomes) counts[o.result]++;
  return counts;
}
