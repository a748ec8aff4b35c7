/**
 * Synthesizes the stacks in-process, offline: the same `buildApp` that
 * bin/shinykit.ts runs under `cdk deploy`, into a throwaway directory.
 * aws-cdk-lib is imported lazily so other commands do not pay for loading it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../lib/config/index.js';
import { readSamlMetadata } from '../../lib/config/files.js';
import type { CfnTemplate } from './template.js';

export interface SynthesizedStack {
  readonly name: string;
  readonly template: CfnTemplate;
  /** Warnings and errors CDK attached to constructs (deprecated APIs, cdk-nag findings, ...). */
  readonly messages: ReadonlyArray<{ readonly level: string; readonly path: string; readonly text: string }>;
  /** The lowest CDK bootstrap stack version `cdk deploy` accepts for this stack (cloud assembly manifest). */
  readonly requiresBootstrapStackVersion?: number;
  /** The SSM parameter holding the bootstrap version: `/cdk-bootstrap/<qualifier>/version`. */
  readonly bootstrapVersionParameter?: string;
}

/**
 * `configDir`: shinykit.yaml's directory, which relative paths in it (SAML metadata files) resolve
 * against. A metadata file that is missing or wrong throws InputError (exit 2) before synthesis.
 */
export async function synthesize(
  cfg: Config,
  opts: { outdir?: string; configDir?: string; cfnValidation?: boolean; progress?: (step: string) => void } = {},
): Promise<SynthesizedStack[]> {
  const samlMetadata = readSamlMetadata(cfg, opts.configDir ?? process.cwd());
  const outdir = opts.outdir ?? mkdtempSync(join(tmpdir(), 'shinykit-plan-'));
  try {
    // Each step blocks the event loop for seconds, so the steps are the progress a terminal can show.
    opts.progress?.('loading the CDK library');
    const { buildApp } = await import('../../lib/app.js');
    opts.progress?.('building the stacks');
    const { app } = buildApp(cfg, { outdir, samlMetadata, cfnValidation: opts.cfnValidation });
    opts.progress?.('synthesizing the CloudFormation templates');
    const assembly = app.synth();
    return assembly.stacks.map((s) => ({
      name: s.stackName,
      template: s.template as CfnTemplate,
      messages: s.messages
        .filter((m) => m.level === 'warning' || m.level === 'error')
        .map((m) => ({ level: String(m.level), path: m.id, text: String(m.entry.data) })),
      requiresBootstrapStackVersion: s.requiresBootstrapStackVersion,
      bootstrapVersionParameter: s.bootstrapStackVersionSsmParameter,
    }));
  } finally {
    if (!opts.outdir) rmSync(outdir, { recursive: true, force: true });
  }
}
