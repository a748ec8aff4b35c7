/**
 * Reads the stack outputs: the contract between `cdk deploy` and the CLI.
 * First `cdk-outputs.json` (written by `cdk deploy --outputs-file`, which
 * cdk.json sets), else CloudFormation DescribeStacks for the app's stacks.
 * Names are never guessed: a missing key is an error that says where we looked.
 */
import { readFileSync } from 'node:fs';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { Config } from '../../lib/config/index.js';
import { stackNames } from '../../lib/outputs.js';
import { sdk } from './aws.js';
import { describeAwsError, UsageError, WorkError } from './errors.js';

export class StackOutputs {
  constructor(
    /** Every output of the app's stacks, merged. */
    readonly values: Readonly<Record<string, string>>,
    /** Where they came from, for messages: a file name or "CloudFormation stacks a, b". */
    readonly source: string,
  ) {}

  /** The value of `key`, or a usage error naming the key and where it was looked for. */
  get(key: string): string {
    const value = this.values[key];
    if (value === undefined || value === '') {
      throw new UsageError(`output "${key}" is missing from ${this.source}`, {
        hint: 'deploy the current version of the stacks (`npx shinykit deploy`) so every output exists, or pass the right --outputs file',
      });
    }
    return value;
  }

  /** The value of `key` if present. */
  find(key: string): string | undefined {
    return this.values[key] || undefined;
  }
}

export interface LoadOutputsOptions {
  /** Path of the outputs file; used when it exists. */
  readonly outputsFile: string;
  /** Used only when the file does not exist. */
  readonly cloudformation?: () => CloudFormationClient;
}

export async function loadStackOutputs(cfg: Config, opts: LoadOutputsOptions): Promise<StackOutputs> {
  const names = Object.values(stackNames(cfg));
  const fromFile = readOutputsFile(opts.outputsFile, names);
  if (fromFile) return fromFile;
  if (!opts.cloudformation) {
    throw new UsageError(`nothing is deployed yet: ${opts.outputsFile} not found`, {
      hint: 'deploy first: `shinykit deploy` (it writes the file), or pass --outputs <file>',
    });
  }
  return describeStacks(opts.cloudformation(), names, opts.outputsFile);
}

/** Parses a cdk-outputs.json; undefined when the file does not exist. */
export function readOutputsFile(file: string, names: readonly string[]): StackOutputs | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file} is not valid JSON (${(err as Error).message})`, {
      hint: 'regenerate it with `npx shinykit deploy` (it rewrites the file), or pass --outputs <file>',
    });
  }
  if (!isRecord(parsed)) {
    throw new UsageError(`${file} should map stack names to their outputs, but it holds ${describe(parsed)}`);
  }
  const values: Record<string, string> = {};
  const found: string[] = [];
  for (const name of names) {
    const stack = parsed[name];
    if (stack === undefined) continue;
    if (!isRecord(stack)) throw new UsageError(`${file}: "${name}" should be an object of outputs, but it is ${describe(stack)}`);
    found.push(name);
    for (const [k, v] of Object.entries(stack)) {
      if (typeof v !== 'string') throw new UsageError(`${file}: ${name}.${k} should be a string, but it is ${describe(v)}`);
      values[k] = v;
    }
  }
  if (found.length === 0) {
    throw new UsageError(`${file} has no outputs for the stacks ${names.join(', ')}`, {
      hint: `it holds ${Object.keys(parsed).join(', ') || 'nothing'}; check "name" in shinykit.yaml, or deploy with \`npx shinykit deploy\``,
    });
  }
  return new StackOutputs(values, `${file} (stacks ${found.join(', ')})`);
}

async function describeStacks(cfn: CloudFormationClient, names: readonly string[], file: string): Promise<StackOutputs> {
  const values: Record<string, string> = {};
  for (const name of names) {
    try {
      const res = await cfn.send(new (sdk.cloudformation().DescribeStacksCommand)({ StackName: name }));
      for (const o of res.Stacks?.[0]?.Outputs ?? []) {
        if (o.OutputKey && o.OutputValue !== undefined) values[o.OutputKey] = o.OutputValue;
      }
    } catch (err) {
      if (err instanceof Error && /does not exist/.test(err.message)) {
        const region = await cfn.config.region().catch(() => undefined);
        throw new UsageError(`nothing is deployed yet: there is no ${file} and no stack ${name}${region ? ` in ${region}` : ''}`, {
          hint: 'deploy first: `shinykit deploy`; if it is deployed elsewhere, check --region/--profile and "name" in shinykit.yaml',
        });
      }
      // Missing credentials, profile or region: the error mapper words those in the user's terms.
      const aws = describeAwsError(err);
      if (aws?.usage) throw err;
      throw new WorkError(`could not read the outputs of stack ${name} from CloudFormation: ${aws?.message ?? (err as Error).message}`, {
        cause: err,
        hint: aws?.hint ?? 'check your AWS credentials and region, or pass --outputs <file>',
      });
    }
  }
  return new StackOutputs(values, `CloudFormation stacks ${names.join(', ')}`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function describe(v: unknown): string {
  return Array.isArray(v) ? 'a list' : v === null ? 'null' : `a ${typeof v}`;
}
