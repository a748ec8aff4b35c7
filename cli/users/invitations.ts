/**
 * How many invitation emails may go out now. Cognito's own email sender
 * (EmailSendingAccount COGNITO_DEFAULT) allows only a small number of emails a
 * day per account (50, DESIGN.md; the Cognito developer guide's "Email settings"
 * page calls it "a limited number of emails each day" and points at the quotas
 * page). With cognito.email (Amazon SES) the SES account's own quotas apply and
 * the kit does not ration.
 *
 * Cognito exposes no counter, so the day's use is estimated from the pool: every
 * user still waiting to sign in (FORCE_CHANGE_PASSWORD) who was created or last
 * changed in the past 24 hours counts as one email. That over-counts (users
 * created with the invitation suppressed count too), which errs on the side of
 * sending fewer rather than having Cognito refuse them.
 */
import type { Config } from '../../lib/config/index.js';
import type { DirectoryUser } from './directory.js';

/** Emails a day Cognito's built-in sender allows per account. */
export const COGNITO_DAILY_EMAILS = 50;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface InvitationBudget {
  /** cognito: the capped built-in sender; ses: the pool sends through Amazon SES. */
  readonly sender: 'cognito' | 'ses';
  /** The day's allowance (undefined with SES: its quota is the SES account's). */
  readonly cap?: number;
  /** Invitations the pool suggests went out in the past 24 hours (an estimate). */
  readonly usedEstimate: number;
  /** How many may be sent now (Infinity with SES). */
  readonly available: number;
}

export function emailSender(config: Pick<Config, 'cognito'>): 'cognito' | 'ses' {
  return config.cognito.email ? 'ses' : 'cognito';
}

/** Users who count against the last 24 hours' allowance. */
export function recentInvitations(users: readonly DirectoryUser[], now: number): number {
  return users.filter((u) => {
    if (u.status !== 'FORCE_CHANGE_PASSWORD') return false;
    const latest = Math.max(Date.parse(u.created ?? '') || 0, Date.parse(u.modified ?? '') || 0);
    return now - latest < DAY_MS;
  }).length;
}

export function invitationBudget(
  config: Pick<Config, 'cognito'>,
  users: readonly DirectoryUser[],
  now: number = Date.now(),
  cap: number = COGNITO_DAILY_EMAILS,
): InvitationBudget {
  if (emailSender(config) === 'ses') return { sender: 'ses', usedEstimate: recentInvitations(users, now), available: Number.POSITIVE_INFINITY };
  const used = recentInvitations(users, now);
  return { sender: 'cognito', cap, usedEstimate: used, available: Math.max(0, cap - used) };
}

/** One line for people: what the budget allows and why. */
export function describeBudget(b: InvitationBudget): string {
  if (b.sender === 'ses') return 'invitations go out through Amazon SES (cognito.email); its sending quota applies';
  return (
    `Cognito's built-in email sender allows ${b.cap} emails a day per account; about ${b.usedEstimate} went out in the past 24 hours ` +
    `(estimated from users created or re-invited since), so ${b.available} can be sent now. Set cognito.email to send through Amazon SES instead`
  );
}

/** Hands out invitation slots while a bulk run goes; closes for good once Cognito refuses one. */
export class InvitationSlots {
  private left: number;
  private refused = false;
  constructor(available: number) {
    this.left = available;
  }
  /** True if this user may be sent an invitation now (and counts it). */
  take(): boolean {
    if (this.refused || this.left <= 0) return false;
    this.left--;
    return true;
  }
  /** Cognito refused an invitation for the email cap: send no more this run. */
  closeRefused(): void {
    this.refused = true;
    this.left = 0;
  }
  get wasRefused(): boolean {
    return this.refused;
  }
}
