/**
 * Shared scaffolding for the outside-checker tests (policy-checks, federation-checks):
 * synthesize each variant with cdk-nag on, collect what the checkers said, and the
 * assertions both files make about it (no open findings, no loud annotations,
 * cfn-lint clean).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { expect } from 'vitest';
import { buildApp } from '../../../lib/app.js';
import type { Config } from '../../../lib/config/index.js';

export interface Checked {
  name: string;
  outdir: string;
  templates: string[];
  /** CDK's validation-report.json (cdk-nag runs as one of its plugins). */
  report: any;
  annotations: { level: string; text: string; path: string }[];
}

/** Synthesizes every variant with cdk-nag and CDK's CloudFormation validation on, each into its own temp dir. */
export function synthChecked(variants: Record<string, Config>): Checked[] {
  return Object.entries(variants).map(([name, cfg]) => {
    const outdir = mkdtempSync(join(tmpdir(), `shinykit-nag-${name}-`));
    const { app, data, host } = buildApp(cfg, { outdir, nag: true, cfnValidation: true });
    const assembly = app.synth();
    const annotations = [data, host].flatMap((st) =>
      assembly.getStackArtifact(st.artifactId).messages.map((m) => ({ level: m.level, text: String(m.entry.data), path: m.id })),
    );
    return {
      name,
      outdir,
      templates: [data, host].map((st) => join(outdir, assembly.getStackArtifact(st.artifactId).templateFile)),
      report: JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')),
      annotations,
    };
  });
}

/** Every plugin of every variant reports zero unacknowledged violations. */
export function expectNoOpenFindings(checked: readonly Checked[]): void {
  for (const c of checked) {
    for (const plugin of c.report.pluginReports) {
      const open = plugin.violations.map((v: any) => `${v.ruleName} at ${v.violatingConstructs.map((x: any) => x.constructPath).join(', ')}`);
      expect(open, `${c.name}: ${plugin.pluginName}`).toEqual([]);
    }
  }
}

/** No variant synthesized with a construct warning or error. */
export function expectNoConstructWarnings(checked: readonly Checked[]): void {
  for (const c of checked) {
    const loud = c.annotations.filter((a) => a.level === 'warning' || a.level === 'error');
    expect(loud, c.name).toEqual([]);
  }
}

/** cfn-lint (the real binary on PATH) reports nothing on these templates and exits 0. */
export async function expectCfnLintClean(files: readonly string[]): Promise<void> {
  const result = await execa('cfn-lint', ['--format', 'json', '--', ...files], { reject: false });
  const findings = result.stdout.trim() ? (JSON.parse(result.stdout) as any[]) : [];
  expect(
    findings.map((f) => `${f.Rule?.Id} ${f.Filename}: ${f.Message}`),
    result.stderr,
  ).toEqual([]);
  expect(result.exitCode).toBe(0);
}
