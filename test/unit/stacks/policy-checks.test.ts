/**
 * The synthesized app against the outside checkers: cdk-nag (AwsSolutions, v3,
 * run by CDK's validation framework at synth), CDK's own template validation,
 * construct annotations, and cfn-lint (real binary on PATH) on every template.
 * Five variants cover every conditional acknowledgement: three docker-mode
 * configs and both egress choices of `backend: ecs` (one with a pinned region,
 * so the ECS acknowledgements match literal ARNs too).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../lib/app.js';
import { configVariant } from './synth.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';

interface Checked {
  name: string;
  outdir: string;
  templates: string[];
  report: any;
  annotations: { level: string; text: string; path: string }[];
}

const variants = {
  bundled: configVariant(),
  full: configVariant((raw) => {
    raw.domain = 'apps.example.org';
    raw.hostedZone = 'example.org';
    raw.host = { instanceType: 't4g.small', sshCidr: '203.0.113.7/32' };
    raw.cognito.mfa = 'required';
    raw.cognito.featurePlan = 'plus';
    raw.region = 'eu-west-1';
  }),
  minimal: configVariant((raw) => {
    raw.cognito.mfa = 'off';
    raw.cognito.featurePlan = 'lite';
  }),
  ecsNat: configVariant((raw) => {
    raw.backend = 'ecs';
  }),
  ecsEndpoints: configVariant((raw) => {
    raw.backend = 'ecs';
    raw.ecs = { egress: 'endpoints', architecture: 'arm64', logRetentionDays: 7 };
    raw.region = 'eu-west-1';
  }),
};

const checked: Checked[] = [];
beforeAll(() => {
  for (const [name, cfg] of Object.entries(variants)) {
    const outdir = mkdtempSync(join(tmpdir(), `shinykit-nag-${name}-`));
    const { app, data, host } = buildApp(cfg, { outdir, nag: true });
    const assembly = app.synth();
    const annotations = [data, host].flatMap((st) =>
      assembly.getStackArtifact(st.artifactId).messages.map((m) => ({ level: m.level, text: String(m.entry.data), path: m.id })),
    );
    checked.push({
      name,
      outdir,
      templates: [data, host].map((st) => join(outdir, assembly.getStackArtifact(st.artifactId).templateFile)),
      report: JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')),
      annotations,
    });
  }
});

describe('cdk-nag AwsSolutions and CDK template validation', () => {
  it('ran the AwsSolutions pack on every variant', () => {
    expect(checked).toHaveLength(Object.keys(variants).length);
    for (const c of checked) {
      expect(c.report.pluginReports.map((p: any) => p.pluginName), c.name).toContain('AwsSolutions');
    }
  });

  it('leaves zero unacknowledged errors or warnings in any plugin', () => {
    for (const c of checked) {
      for (const plugin of c.report.pluginReports) {
        const open = plugin.violations.map((v: any) => `${v.ruleName} at ${v.violatingConstructs.map((x: any) => x.constructPath).join(', ')}`);
        expect(open, `${c.name}: ${plugin.pluginName}`).toEqual([]);
      }
    }
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
    for (const c of checked) {
      const loud = c.annotations.filter((a) => a.level === 'warning' || a.level === 'error');
      expect(loud, c.name).toEqual([]);
    }
  });
});

describe('cfn-lint', () => {
  it('reports no errors and no warnings on any synthesized template', async () => {
    // The skipped checks are declared in the templates themselves: E1152 on the
    // instance, whose ImageId is EC2's launch-time `resolve:ssm:` form (lib/constructs/host.ts),
    // and, in ecs mode, W3005 on the log retention function (lib/constructs/ecs-apps.ts).
    const files = checked.flatMap((c) => c.templates);
    expect(files).toHaveLength(2 * Object.keys(variants).length);
    const result = await execa('cfn-lint', ['--format', 'json', '--', ...files], { reject: false });
    const findings = result.stdout.trim() ? (JSON.parse(result.stdout) as any[]) : [];
    expect(
      findings.map((f) => `${f.Rule?.Id} ${f.Filename}: ${f.Message}`),
      result.stderr,
    ).toEqual([]);
    expect(result.exitCode).toBe(0);
  });
});
