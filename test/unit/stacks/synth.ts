/**
 * Shared helpers for the stack tests: config variants of the bundled
 * shinykit.yaml and one synthesis per variant (synth is the expensive part).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { parse, stringify } from 'yaml';
import { buildApp } from '../../../lib/app.js';
import { parseConfig, type Config } from '../../../lib/config/index.js';
import { readSamlMetadata } from '../../../lib/config/files.js';

export const BUNDLED_CONFIG = join(import.meta.dirname, '../../../shinykit.yaml');

/** The bundled config with `edit` applied to its raw YAML object, validated like a real file. */
export function configVariant(edit: (raw: Record<string, any>) => void = () => {}): Config {
  const raw = parse(readFileSync(BUNDLED_CONFIG, 'utf8')) as Record<string, any>;
  edit(raw);
  return parseConfig(stringify(raw), 'variant.yaml');
}

export interface Synthesized {
  readonly config: Config;
  readonly outdir: string;
  readonly data: Template;
  readonly host: Template;
  /** Raw template JSON, for whole-template searches. */
  readonly dataJson: Record<string, any>;
  readonly hostJson: Record<string, any>;
}

export function synth(config: Config, opts: { nag?: boolean; configDir?: string } = {}): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), 'shinykit-synth-'));
  const { app, data, host } = buildApp(config, { outdir, nag: opts.nag, samlMetadata: readSamlMetadata(config, opts.configDir ?? process.cwd()) });
  const assembly = app.synth();
  const dataJson = assembly.getStackArtifact(data.artifactId).template as Record<string, any>;
  const hostJson = assembly.getStackArtifact(host.artifactId).template as Record<string, any>;
  return {
    config,
    outdir,
    data: Template.fromJSON(dataJson),
    host: Template.fromJSON(hostJson),
    dataJson,
    hostJson,
  };
}

/** Resources of one type, as [logicalId, resource] pairs. */
export function resourcesOf(template: Record<string, any>, type: string): [string, any][] {
  return Object.entries(template.Resources ?? {}).filter(([, r]) => (r as any).Type === type) as [string, any][];
}

/** The one resource of a type (fails the test when there is not exactly one). */
export function only(template: Record<string, any>, type: string): any {
  const found = resourcesOf(template, type);
  if (found.length !== 1) throw new Error(`expected exactly one ${type}, found ${found.length}`);
  return found[0]![1];
}

/** Output keys that are not CDK's automatic cross-stack exports. */
export function contractOutputKeys(template: Record<string, any>): string[] {
  return Object.keys(template.Outputs ?? {}).filter((k) => !k.startsWith('ExportsOutput'));
}

/** Every IAM policy statement in a template. */
export function policyStatements(template: Record<string, any>): any[] {
  return resourcesOf(template, 'AWS::IAM::Policy').flatMap(([, p]) => p.Properties.PolicyDocument.Statement as any[]);
}

export const asArray = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

/**
 * Renders a CloudFormation value to a string with placeholders, so tests can
 * compare URLs however CDK chose to nest its Fn::Join: `{Ref: X}` → `<X>`,
 * `{Fn::GetAtt: [X, A]}` → `<X.A>`, `{Fn::ImportValue: N}` → `<import:N>`.
 */
export function render(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  if (value && typeof value === 'object') {
    const v = value as Record<string, any>;
    if ('Ref' in v) return `<${v.Ref}>`;
    if ('Fn::GetAtt' in v) return `<${asArray(v['Fn::GetAtt']).join('.')}>`;
    if ('Fn::ImportValue' in v) return `<import:${render(v['Fn::ImportValue'])}>`;
    if ('Fn::Join' in v) {
      const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
      return parts.map(render).join(sep);
    }
    if ('Fn::Sub' in v && typeof v['Fn::Sub'] === 'string') return (v['Fn::Sub'] as string).replace(/\$\{([^}]+)\}/g, '<$1>');
    // The kit's one use of Select/Split: the first UUID group of the StackId (lib/stack-id.ts).
    if ('Fn::Select' in v && JSON.stringify(v).includes('AWS::StackId')) return '<stack-id-suffix>';
  }
  throw new Error(`cannot render ${JSON.stringify(value)}`);
}

/**
 * Evaluates a CloudFormation value the way CloudFormation would, for the intrinsics
 * the kit's names use (Ref to pseudo parameters, Fn::Join, Fn::Select, Fn::Split),
 * given the pseudo parameters' values. Proves that an expression in a template and
 * its offline twin in lib/ agree.
 */
export function evaluate(value: unknown, pseudo: Record<string, string>): string | string[] {
  if (typeof value === 'string') return value;
  const v = value as Record<string, any>;
  if ('Ref' in v) {
    if (!(v.Ref in pseudo)) throw new Error(`no value for Ref ${v.Ref}`);
    return pseudo[v.Ref]!;
  }
  if ('Fn::Join' in v) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map((p) => evaluate(p, pseudo) as string).join(sep);
  }
  if ('Fn::Split' in v) {
    const [sep, source] = v['Fn::Split'] as [string, unknown];
    return (evaluate(source, pseudo) as string).split(sep);
  }
  if ('Fn::Select' in v) {
    const [index, list] = v['Fn::Select'] as [number | string, unknown];
    return (evaluate(list, pseudo) as string[])[Number(index)]!;
  }
  throw new Error(`cannot evaluate ${JSON.stringify(value)}`);
}
