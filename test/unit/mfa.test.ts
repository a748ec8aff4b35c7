/**
 * MFA modes and switches (lib/mfa.ts), and where they surface: `validate` refuses a
 * switch CloudFormation would refuse on the deployed pool (known from the
 * UserPoolMfa output in cdk-outputs.json), `plan` says what each mode means.
 * The rules follow Cognito's answers as reported publicly (see lib/mfa.ts).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runValidate } from '../../cli/commands/validate.js';
import { describeIdentityPlan, formatIdentityPlan } from '../../cli/plan/identity.js';
import { parseConfig } from '../../lib/config/index.js';
import { COGNITO_MFA, mfaTransition, parseMfaMode, type MfaMode } from '../../lib/mfa.js';

const MODES: MfaMode[] = ['off', 'optional', 'required'];

describe('mfaTransition: which switches CloudFormation can make on a deployed pool', () => {
  it.each([
    ['off', 'required', 'refused'],
    ['off', 'optional', 'untested'],
    ['optional', 'required', 'accepted'],
    ['required', 'optional', 'accepted'],
    ['required', 'off', 'accepted'],
    ['optional', 'off', 'accepted'],
  ] as const)('%s → %s is %s', (from, to, verdict) => {
    const t = mfaTransition(from, to);
    expect(t.verdict).toBe(verdict);
    expect(t.message.length).toBeGreaterThan(20);
    if (verdict !== 'accepted') expect(t.fix).toBeTruthy();
  });

  it('names the two-step way round the refused switch and Cognito\'s own error', () => {
    const t = mfaTransition('off', 'required');
    expect(t.message).toContain('Cannot turn MFA functionality ON');
    expect(t.fix).toMatch(/cognito.mfa: optional first.*then with cognito.mfa: required/);
  });

  it('leaves a mode alone as unchanged, for every mode', () => {
    for (const m of MODES) expect(mfaTransition(m, m).verdict).toBe('unchanged');
  });

  it('reads Cognito\'s names and the config\'s', () => {
    for (const m of MODES) expect(parseMfaMode(COGNITO_MFA[m])).toBe(m);
    expect(parseMfaMode('required')).toBe('required');
    expect(parseMfaMode('sometimes')).toBeUndefined();
    expect(parseMfaMode(undefined)).toBeUndefined();
  });
});

const CONFIG = (mfa: string, extra = '') => `name: analytics
tls: { email: ops@example.org }
cognito:
  mfa: ${mfa}
  groups: { users: {} }
${extra}apps:
  - { id: one, context: ./one, groups: [users] }
`;

function files(mfa: string, deployed?: string): { config: string; outputs: string } {
  const dir = mkdtempSync(join(tmpdir(), 'shinykit-mfa-'));
  const config = join(dir, 'shinykit.yaml');
  writeFileSync(config, CONFIG(mfa));
  // validate also checks the app's build context: give it one.
  mkdirSync(join(dir, 'one'));
  writeFileSync(join(dir, 'one', 'Dockerfile'), 'FROM scratch\n');
  const outputs = join(dir, 'cdk-outputs.json');
  if (deployed) writeFileSync(outputs, JSON.stringify({ 'analytics-data': { UserPoolId: 'eu-west-1_x', UserPoolMfa: deployed } }));
  return { config, outputs };
}

describe('validate against the deployed MFA mode', () => {
  it('refuses off → required with the path, Cognito\'s reason and the two-step fix', () => {
    const f = files('required', 'OFF');
    const r = runValidate({ file: f.config, outputsFile: f.outputs });
    expect(r.valid).toBe(false);
    expect(r.problems).toEqual([{ path: 'cognito.mfa', message: expect.stringMatching(/deployed pool has MFA off: CloudFormation cannot switch.*optional first/) }]);
  });

  it('accepts optional → required, and any mode when nothing is deployed (no outputs file, or one without UserPoolMfa)', () => {
    expect(runValidate({ file: files('required', 'OPTIONAL').config, outputsFile: files('required', 'OPTIONAL').outputs }).valid).toBe(true);
    const none = files('required');
    expect(runValidate({ file: none.config, outputsFile: none.outputs }).valid).toBe(true);
    const old = files('required');
    writeFileSync(old.outputs, JSON.stringify({ 'analytics-data': { UserPoolId: 'eu-west-1_x' } }));
    expect(runValidate({ file: old.config, outputsFile: old.outputs }).valid).toBe(true);
  });
});

describe('plan: the sign-in section', () => {
  it('says plainly that optional enrols no one, and that required enrols at sign-in', () => {
    const optional = formatIdentityPlan(describeIdentityPlan(parseConfig(CONFIG('optional'), 'x.yaml'))).join('\n');
    expect(optional).toMatch(/nobody is asked to enrol/);
    const required = formatIdentityPlan(describeIdentityPlan(parseConfig(CONFIG('required'), 'x.yaml'))).join('\n');
    expect(required).toMatch(/sets up an authenticator app \(TOTP\) on the login page/);
    expect(required).toMatch(/at most 50 emails a day per account.*users invite/);
  });

  it('shows the switch from the deployed mode and its verdict, and the SES sender when configured', () => {
    const cfg = parseConfig(CONFIG('required', '  email: { from: no-reply@example.org }\n'), 'x.yaml');
    const lines = formatIdentityPlan(describeIdentityPlan(cfg, 'off')).join('\n');
    expect(lines).toMatch(/MFA REFUSED \(deployed: off → required\)/);
    expect(lines).toMatch(/Amazon SES, from no-reply@example.org/);
    expect(formatIdentityPlan(describeIdentityPlan(cfg, 'optional')).join('\n')).toMatch(/MFA change \(deployed: optional → required\): .*next sign-in/);
  });
});
