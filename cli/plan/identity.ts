/**
 * The sign-in section of `plan` (and the MFA check of `validate`): what the MFA
 * mode means for people, whether switching a deployed pool to it is an update
 * CloudFormation accepts (lib/mfa.ts), and how invitation emails are sent.
 *
 * The deployed mode comes from the UserPoolMfa output in cdk-outputs.json when
 * the file is there (offline); preflight compares against the live stack.
 */
import type { Config } from '../../lib/config/index.js';
import { describeMfaMode, mfaTransition, parseMfaMode, type MfaMode, type MfaTransition } from '../../lib/mfa.js';
import { ExtraOutputKeys, stackNames } from '../../lib/outputs.js';
import { readOutputsFile } from '../lib/stack-outputs.js';
import { COGNITO_DAILY_EMAILS } from '../users/invitations.js';

export interface IdentityPlan {
  readonly mfa: {
    readonly mode: MfaMode;
    readonly meaning: string;
    /** The mode the deployed pool has (UserPoolMfa output), when known. */
    readonly deployed?: MfaMode;
    readonly transition?: MfaTransition;
  };
  readonly email: { readonly sender: 'cognito' | 'ses'; readonly detail: string };
}

/** The deployed MFA mode from an outputs file; undefined when the file, the output or its value is missing or unreadable. */
export function deployedMfaMode(cfg: Config, outputsFile: string): MfaMode | undefined {
  try {
    return parseMfaMode(readOutputsFile(outputsFile, Object.values(stackNames(cfg)))?.find(ExtraOutputKeys.UserPoolMfa));
  } catch {
    return undefined; // a broken outputs file is reported by the commands that need it
  }
}

export function describeIdentityPlan(cfg: Config, deployed?: MfaMode): IdentityPlan {
  const mode = cfg.cognito.mfa;
  const email = cfg.cognito.email;
  return {
    mfa: { mode, meaning: describeMfaMode(mode), ...(deployed ? { deployed, transition: mfaTransition(deployed, mode) } : {}) },
    email: email
      ? { sender: 'ses', detail: `Amazon SES, from ${email.from} (identity ${email.sesIdentity ?? email.from}${email.sesRegion ? ` in ${email.sesRegion}` : ''}); \`shinykit doctor\` checks it is verified` }
      : {
          sender: 'cognito',
          detail: `Cognito's own sender: at most ${COGNITO_DAILY_EMAILS} emails a day per account; \`users import\` sends what the day allows and queues the rest for \`users invite\`. Set cognito.email to send through Amazon SES`,
        },
  };
}

export function formatIdentityPlan(p: IdentityPlan): string[] {
  const out = [`  MFA ${p.mfa.meaning}`];
  const t = p.mfa.transition;
  if (t && t.verdict !== 'unchanged') {
    const tag = { accepted: 'change', refused: 'REFUSED', untested: 'untested change' }[t.verdict];
    out.push(`  MFA ${tag} (deployed: ${t.from} → ${t.to}): ${t.message}${t.fix ? `; ${t.fix}` : ''}`);
  }
  out.push(`  invitation and reset emails: ${p.email.detail}`);
  return out;
}
