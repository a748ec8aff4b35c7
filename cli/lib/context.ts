/**
 * What every command action gets: the global options, the I/O host, the timing of
 * its waits, and lazily loaded config, stack outputs and AWS clients (each loaded once).
 *
 * The outside world reaches commands only through here: the entry (cli/index.ts)
 * reads the process (terminal, CI, NO_COLOR, test hooks, environment) once into a
 * Runtime (cli/lib/runtime.ts) attached to the program; createContext(cmd) finds it.
 */
import type { Command } from 'commander';
import { loadConfig, type Config } from '../../lib/config/index.js';
import { OutputKeys } from '../../lib/outputs.js';
import { createAwsClients, type AwsClients } from './aws.js';
import { profileInfo } from './aws-profile.js';
import { ShinykitError, UsageError } from './errors.js';
import { createIoHost, type IoHost } from './io-host.js';
import { CONFIG_FILE, projectPaths } from './project.js';
import { runtimeOf, type Runtime, type Timing } from './runtime.js';
import { loadStackOutputs, type StackOutputs } from './stack-outputs.js';

export interface GlobalOptions {
  /** --config, else the nearest shinykit.yaml at or above the working directory. */
  readonly config: string;
  /** --outputs, else cdk-outputs.json beside the config. */
  readonly outputs: string;
  /** No --config and no shinykit.yaml found: commands that need one fail with missingConfigError(). */
  readonly configMissing?: boolean;
  readonly profile?: string;
  readonly region?: string;
  readonly debug: boolean;
  /** false with --no-color. */
  readonly color?: boolean;
  readonly quiet?: boolean;
}

export interface CommandContext {
  readonly options: GlobalOptions;
  readonly out: IoHost;
  readonly timing: Timing;
  readonly env: Runtime['env'];
  config(): Config;
  outputs(): Promise<StackOutputs>;
  /** Region: --region, else shinykit.yaml's region, else the outputs' Region, else the SDK's own default chain. */
  aws(): Promise<AwsClients>;
}

export function globalOptions(cmd: Command): GlobalOptions {
  const o = cmd.optsWithGlobals<Partial<GlobalOptions>>();
  const paths = projectPaths({ config: o.config, outputs: o.outputs });
  return {
    config: paths.config,
    outputs: paths.outputs,
    configMissing: paths.missing,
    profile: o.profile,
    region: o.region,
    debug: Boolean(o.debug),
    color: o.color !== false,
    quiet: Boolean(o.quiet),
  };
}

export function createContext(cmd: Command): CommandContext {
  const options = globalOptions(cmd);
  const runtime = runtimeOf(cmd);
  const out = createIoHost({ ...runtime.io, color: options.color, quiet: options.quiet });
  let config: Config | undefined;
  let outputs: Promise<StackOutputs> | undefined;
  let clients: Promise<AwsClients> | undefined;
  // The outputs' Region, or undefined when there are no usable outputs: then the SDK's
  // own chain (AWS_REGION, the profile) decides. Commands that need the outputs still
  // get their error from ctx.outputs() itself.
  const outputsRegion = async (): Promise<string | undefined> => {
    try {
      return (await ctx.outputs()).find(OutputKeys.Region);
    } catch (err) {
      if (err instanceof ShinykitError) return undefined;
      throw err;
    }
  };
  // A misspelt --profile otherwise surfaces as "Could not load credentials" after a timeout.
  const clientsFor = (region: string | undefined): AwsClients => {
    if (options.profile && !profileInfo(options.profile, runtime.env).exists) {
      throw new UsageError(`the AWS profile "${options.profile}" does not exist (it is in neither ~/.aws/config nor ~/.aws/credentials)`, {
        hint: `create it with \`aws configure --profile ${options.profile}\` (or \`aws configure sso\`), or pass another --profile`,
      });
    }
    return createAwsClients({ profile: options.profile, region });
  };
  const ctx: CommandContext = {
    options,
    out,
    timing: runtime.timing,
    env: runtime.env,
    config: () => {
      if (options.configMissing) throw missingConfigError();
      return (config ??= loadConfig(options.config));
    },
    outputs: () =>
      (outputs ??= loadStackOutputs(ctx.config(), {
        outputsFile: options.outputs,
        // Not aws(): its region may come from these outputs. Without an outputs file,
        // DescribeStacks uses the region known without them (else the SDK's default).
        cloudformation: () => clientsFor(options.region ?? ctx.config().region).cloudformation(),
      })),
    aws: () =>
      (clients ??= (async () => {
        const cfg = ctx.config();
        const region = options.region ?? cfg.region ?? (await outputsRegion());
        return clientsFor(region);
      })()),
  };
  return ctx;
}

/** No --config and no shinykit.yaml in the working directory or above it. */
export function missingConfigError(cwd: string = process.cwd()): UsageError {
  return new UsageError(`no ${CONFIG_FILE} in ${cwd} or any folder above it`, {
    hint: 'run this inside your shinykit project, create one with `npx shinykit init`, or pass --config <file>',
  });
}
