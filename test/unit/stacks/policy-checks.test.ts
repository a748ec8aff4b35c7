/**
 * The synthesized app against the outside checkers: cdk-nag (AwsSolutions, v3,
 * run by CDK's validation framework at synth), CDK's own template validation,
 * construct annotations, and cfn-lint (real binary on PATH) on every template.
 * Five variants cover every conditional acknowledgement: three docker-mode
 * configs and both egress choices of `backend: ecs` (one with a pinned region,
 * so the ECS acknowledgements match literal ARNs too). `full` and `ecsNat` reference app secrets
 * (by name and by ARN), so their grants go through the checkers too.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { expectCfnLintClean, expectNoConstructWarnings, expectNoOpenFindings, synthChecked, type Checked } from './checks.js';
import { configVariant } from './synth.js';

const variants = {
  bundled: configVariant(),
  full: configVariant((raw) => {
    raw.domain = 'apps.example.org';
    raw.hostedZone = 'example.org';
    raw.host = { instanceType: 't4g.small', sshCidr: '203.0.113.7/32' };
    raw.cognito.mfa = 'required';
    raw.cognito.featurePlan = 'plus';
    raw.cognito.email = { from: 'no-reply@example.org', sesIdentity: 'example.org', configurationSet: 'invites' };
    raw.region = 'eu-west-1';
    // apps[].secrets by name (?????? suffix pattern, acknowledged) and by ARN, on the host role.
    raw.apps[0].secrets = { DB_PASSWORD: 'ssm:/shinykit-secrets/analytics/shiny-demo/DB_PASSWORD', API_KEY: 'secretsmanager:prod/api-key' };
  }),
  minimal: configVariant((raw) => {
    raw.cognito.mfa = 'off';
    raw.cognito.featurePlan = 'lite';
  }),
  ecsNat: configVariant((raw) => {
    raw.backend = 'ecs';
    // apps[].secrets on the execution role, in an env-agnostic stack.
    raw.apps[0].secrets = { DB_PASSWORD: 'ssm:/shinykit-secrets/analytics/shiny-demo/DB_PASSWORD', API_KEY: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/api-key-AbC123' };
  }),
  ecsEndpoints: configVariant((raw) => {
    raw.backend = 'ecs';
    raw.ecs = { egress: 'endpoints', architecture: 'arm64', logRetentionDays: 7 };
    raw.region = 'eu-west-1';
    // apps[].secrets add the SSM and Secrets Manager interface endpoints.
    raw.apps[1].secrets = { API_KEY: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/api-key-AbC123', TOKEN: 'ssm:/team/token' };
  }),
};

let checked: Checked[] = [];
beforeAll(() => {
  checked = synthChecked(variants);
});

describe('cdk-nag AwsSolutions and CDK template validation', () => {
  it("ran the AwsSolutions pack and CDK's CloudFormation validation on every variant", () => {
    expect(checked).toHaveLength(Object.keys(variants).length);
    for (const c of checked) {
      const plugins = c.report.pluginReports.map((p: any) => p.pluginName);
      expect(plugins, c.name).toContain('AwsSolutions');
      expect(plugins, c.name).toContain('CloudFormation Validate');
    }
  });

  it('leaves zero unacknowledged errors or warnings in any plugin', () => {
    expectNoOpenFindings(checked);
  });

  it('names the rule and gives a specific reason in every acknowledgement', () => {
    for (const c of checked) {
      for (const plugin of c.report.pluginReports) {
        for (const s of plugin.suppressedViolations ?? []) {
          expect(s.acknowledgedId, c.name).toContain(s.ruleName);
          expect(s.reason.length, `${c.name}: ${s.acknowledgedId}`).toBeGreaterThanOrEqual(60);
          expect(s.reason).not.toMatch(/^(n\/a|todo|ok|fine|ignore|suppress)/i);
        }
      }
    }
  });

  it('acknowledges MFA and threat protection only when the config turns them down', () => {
    const rules = (name: string) =>
      checked
        .find((c) => c.name === name)!
        .report.pluginReports.flatMap((p: any) => (p.suppressedViolations ?? []).map((s: any) => s.ruleName));
    expect(rules('full')).not.toContain('AwsSolutions-COG2');
    expect(rules('full')).not.toContain('AwsSolutions-COG8');
    expect(rules('minimal')).toContain('AwsSolutions-COG2');
    expect(rules('minimal')).toContain('AwsSolutions-COG8');
  });

  it('synthesizes without construct warnings or errors', () => {
    expectNoConstructWarnings(checked);
  });
});

describe('cfn-lint', () => {
  it('reports no errors and no warnings on any synthesized template', async () => {
    // The skipped checks are declared in the templates themselves: E1152 on the
    // instance, whose ImageId is EC2's launch-time `resolve:ssm:` form (lib/constructs/host.ts),
    // and, in ecs mode, W3005 on CDK's AwsCustomResource provider function (lib/constructs/ecs-apps.ts).
    const files = checked.flatMap((c) => c.templates);
    expect(files).toHaveLength(2 * Object.keys(variants).length);
    await expectCfnLintClean(files);
  });
});
