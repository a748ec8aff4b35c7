/**
 * MFA modes (cognito.mfa) and which switches between them CloudFormation can make
 * on a deployed pool. Pure, so `validate`, `plan` and preflight's change analysis
 * all give the same answer.
 *
 * What Cognito does (checked 2026-12 against public reports; see each rule):
 * - UpdateUserPool refuses MfaConfiguration ON while the pool has no MFA factor
 *   enabled: "Cannot turn MFA functionality ON, once the user pool has been
 *   created." (cloudformation-coverage-roadmap#1176, aws-cdk#21284,
 *   amplify-studio#482). The same call is accepted once TOTP is enabled: measured
 *   against us-east-1 on 2026-08-18 by the cdkd project (its Cognito integration
 *   test). #1176's OPTIONAL→ON refusal was on a pool with no factor; the kit's
 *   `optional` always enables TOTP, so optional→required is accepted.
 * - `off` enables no factor, so off→required is refused: go through `optional`.
 * - off→optional enables TOTP and sets OPTIONAL in one update; no public report
 *   either way, so it is marked untested (a refused update rolls back, nothing is lost).
 * - Lowering (required→optional/off, optional→off) is accepted; users who enrolled
 *   keep their authenticator, and under `optional` Cognito still asks them for it.
 */
export type MfaMode = 'off' | 'optional' | 'required';

/** cognito.mfa → Cognito's MfaConfiguration. */
export const COGNITO_MFA: Readonly<Record<MfaMode, 'OFF' | 'OPTIONAL' | 'ON'>> = { off: 'OFF', optional: 'OPTIONAL', required: 'ON' };

/** A mode from Cognito's name (OFF/OPTIONAL/ON) or the config's; undefined otherwise. */
export function parseMfaMode(value: string | undefined): MfaMode | undefined {
  const v = (value ?? '').trim().toUpperCase();
  if (v === 'OFF') return 'off';
  if (v === 'OPTIONAL') return 'optional';
  if (v === 'ON' || v === 'REQUIRED') return 'required';
  return undefined;
}

export type MfaVerdict = 'unchanged' | 'accepted' | 'refused' | 'untested';

export interface MfaTransition {
  readonly from: MfaMode;
  readonly to: MfaMode;
  readonly verdict: MfaVerdict;
  /** One sentence: what happens to people, or why CloudFormation refuses. */
  readonly message: string;
  /** What to do instead (refused) or before (untested). */
  readonly fix?: string;
}

/** Whether CloudFormation can switch a deployed pool from `from` to `to`. */
export function mfaTransition(from: MfaMode, to: MfaMode): MfaTransition {
  if (from === to) return { from, to, verdict: 'unchanged', message: `MFA stays ${to}` };
  if (from === 'off' && to === 'required') {
    return {
      from,
      to,
      verdict: 'refused',
      message:
        'CloudFormation cannot switch MFA from off to required in one update: Cognito refuses MfaConfiguration ON while the pool has no MFA factor enabled ("Cannot turn MFA functionality ON, once the user pool has been created")',
      fix: 'deploy with cognito.mfa: optional first (it enables authenticator apps), then with cognito.mfa: required',
    };
  }
  if (from === 'off' && to === 'optional') {
    return {
      from,
      to,
      verdict: 'untested',
      message: 'switching MFA from off to optional enables authenticator apps and the mode in one update, which no public report confirms either way',
      fix: 'if the deploy fails, CloudFormation rolls the pool back unchanged; enable TOTP once with `aws cognito-idp set-user-pool-mfa-config --software-token-mfa-configuration Enabled=true --mfa-configuration OPTIONAL` and deploy again',
    };
  }
  if (to === 'required') {
    return {
      from,
      to,
      verdict: 'accepted',
      message: 'MFA becomes required: every local user without an authenticator is asked to set one up (QR code on the login page) at their next sign-in',
    };
  }
  if (to === 'optional') {
    return {
      from,
      to,
      verdict: 'accepted',
      message: 'MFA becomes optional: users who enrolled keep using their authenticator; nobody else is asked to enrol',
    };
  }
  return { from, to, verdict: 'accepted', message: 'MFA is turned off: nobody is asked for an authenticator code at sign-in any more' };
}

/** What a mode means for the people signing in (plan, validate, README). */
export function describeMfaMode(mode: MfaMode): string {
  switch (mode) {
    case 'required':
      return 'required: every local user sets up an authenticator app (TOTP) on the login page at sign-in and enters a code each time';
    case 'optional':
      return 'optional: users who already have an authenticator use it, but nobody is asked to enrol and the kit offers no enrolment page, so in practice nobody new gets MFA';
    case 'off':
      return 'off: password only';
  }
}
