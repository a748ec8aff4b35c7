/**
 * The federated variant against the outside checkers (as policy-checks.test.ts
 * does for the others): cdk-nag AwsSolutions with zero open findings and every
 * acknowledgement reasoned, no construct warnings, and cfn-lint clean — on a
 * config with all three provider types, the group-mapping trigger and direct
 * login, env-agnostic and with a pinned region (cdk-nag names findings differently).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { expectCfnLintClean, expectNoConstructWarnings, expectNoOpenFindings, synthChecked, type Checked } from './checks.js';
import { ENTRA, GOOGLE, OKTA } from '../../support/identity-providers.js';
import { configVariant } from './synth.js';


const variants = {
  federated: configVariant((raw) => {
    raw.cognito.identityProviders = [GOOGLE, ENTRA, { ...OKTA, trustEmail: true }];
    raw.cognito.groupMapping = { 'EntraID:sales-group-id': 'shiny_users', 'Okta:Admins': ['admin_users'] };
    raw.cognito.defaultGroups = ['dash_users'];
    raw.cognito.federatedEmailDomains = ['example.org'];
  }),
  federatedPinned: configVariant((raw) => {
    raw.cognito.identityProviders = [ENTRA];
    raw.cognito.localUsers = false;
    raw.cognito.groupMapping = { 'sales-group-id': 'shiny_users' };
    raw.cognito.featurePlan = 'lite';
    raw.region = 'eu-central-1';
  }),
};

let checked: Checked[] = [];
beforeAll(() => {
  checked = synthChecked(variants);
});

describe('federated sign-in: cdk-nag and CDK validation', () => {
  it('leaves zero unacknowledged findings', () => {
    expectNoOpenFindings(checked);
  });

  it('needs no acknowledgement for the providers or the trigger (its role writes only its own log group)', () => {
    for (const c of checked) {
      const acks = c.report.pluginReports.flatMap((p: any) => p.suppressedViolations ?? []);
      const paths = acks.flatMap((s: any) => s.violatingConstructs.map((x: any) => x.constructPath as string));
      expect(paths.filter((p: string) => /Federation|GroupMapping/.test(p)), c.name).toEqual([]);
    }
  });

  it('synthesizes without construct warnings or errors', () => {
    expectNoConstructWarnings(checked);
  });
});

describe('federated sign-in: cfn-lint', () => {
  it('reports no errors and no warnings', async () => {
    const files = checked.flatMap((c) => c.templates);
    expect(files).toHaveLength(4);
    await expectCfnLintClean(files);
  });
});
