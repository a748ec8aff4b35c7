/**
 * Runs the pinned CDK CLI on the kit's CDK app for one project: the app and the
 * config are passed explicitly (`--app`, `-c config=`), so deploy and destroy work
 * the same whether or not the project has a cdk.json, and from any subfolder.
 */
import { dirname, resolve } from 'node:path';
import type { GlobalOptions } from './context.js';
import { run, type Runner } from './exec.js';
import { cdkAppArgv, cdkCliArgv, commandLine } from './kit.js';

/** No deploy should hang forever, but a first deploy takes 10–20 minutes. */
const CDK_TIMEOUT_MS = 90 * 60 * 1000;

export interface CdkInvocation {
  /** The executable and its arguments (node + aws-cdk's bin/cdk + the command). */
  readonly argv: readonly string[];
  /** The project folder (shinykit.yaml's): cdk.out/ lands there. */
  readonly cwd: string;
  readonly env: Record<string, string>;
}

/** `cdk <command> --all` for the project `options` name, plus `extra` arguments. */
export function cdkInvocation(command: 'deploy' | 'destroy' | 'synth', options: GlobalOptions, extra: readonly string[] = [], deps: { env?: NodeJS.ProcessEnv } = {}): CdkInvocation {
  const configFile = resolve(options.config);
  const argv = [
    ...cdkCliArgv(deps.env),
    command,
    '--all',
    '--app',
    commandLine(cdkAppArgv()),
    '--context',
    `config=${configFile}`,
    ...(options.profile ? ['--profile', options.profile] : []),
    ...extra,
  ];
  // --region: the CDK CLI has no such flag; it reads the region from the environment.
  const env: Record<string, string> = options.region ? { AWS_REGION: options.region, AWS_DEFAULT_REGION: options.region } : {};
  return { argv, cwd: dirname(configFile), env };
}

/** Runs the CDK CLI attached to the user's terminal (its prompts and progress are theirs). */
export async function runCdk(inv: CdkInvocation, runner: Runner = run): Promise<void> {
  const [cmd, ...args] = inv.argv;
  await runner(cmd!, args, { cwd: inv.cwd, env: inv.env, interactive: true, timeoutMs: CDK_TIMEOUT_MS });
}
