/**
 * The federated variant against the outside checkers (as policy-checks.test.ts
 * does for the others): cdk-nag AwsSolutions with zero open findings and every
 * acknowledgement reasoned, no construct warnings, and cfn-lint clean — on a
 * config with all three provider types, the group-mapping trigger and direct
 * login, env-agnostic and with a pinned region (cdk-nag names findings differently).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { expectCfnLintClean, expectNoConstructWarnings, expectNoOpenFindings, synthChecked, type Checked } from './checks.js';
import { configVariant } from './synth.js';

const providers = [
  { type: 'google', clientId: '1234-abc.apps.googleusercontent.com', clientSecretName: 'shinykit/google-client' },
  {
    type: 'oidc',
    name: 'EntraID',
    issuerUrl: 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0',
    clientId: 'client-id',
    clientSecretName: 'shinykit/entra-client',
    attributeMapping: { groups: 'groups' },
  },
  { type: 'saml', name: 'Okta', metadataUrl: 'https://example.okta.com/app/abc/sso/saml/metadata', attributeMapping: { groups: 'groups' } },
];

const variants = {
  federated: configVariant((raw) => {
    raw.cognito.identityProviders = providers;
    raw.cognito.groupMapping = { 'sales-group-id': 'shiny_users', Admins: ['admin_users'] };
    raw.cognito.defaultGroups = ['dash_users'];
    raw.cognito.federatedEmailDomains = ['example.org'];
  }),
  federatedPinned: configVariant((raw) => {
    raw.cognito.identityProviders = [providers[1]];
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
