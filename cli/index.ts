/**
 * The shinykit CLI: the commander program, the global options, and the single
 * place that turns errors into exit codes (see cli/lib/errors.ts).
 *
 * It is also the only place that reads the process for commands: which streams are
 * terminals, CI, NO_COLOR, and the test hooks below, gathered into the Runtime every
 * CommandContext is built from (cli/lib/context.ts).
 *
 * Test hooks (for tests that run the built CLI against moto_server, where a host
 * answers at once and waiting seconds between polls only slows the test):
 *   SHINYKIT_APPLY_POLL_MS    how often apply and the host's read-only scripts (status,
 *                             apply's session count) poll their SSM command
 *   SHINYKIT_SESSION_POLL_MS  how often `apply --wait-for-sessions` counts open sessions
 *   SHINYKIT_LOGS_POLL_MS     how often `logs --follow` asks for new events
 */
import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { commandEntries, type CommandEntry } from './commands/index.js';
import { manifestHelp, placeholderCommands, readManifest } from './commands/manifest.js';
import { attachRuntime, DEFAULT_TIMING, type Runtime, type Timing } from './lib/runtime.js';
import { reportError } from './lib/errors.js';
import { useColor } from './lib/io-host.js';

/** Global options that take a value: their value is not a command name. */
const VALUE_OPTIONS = new Set(['--config', '--outputs', '--profile', '--region']);

/** The first argument that is neither an option nor a global option's value: the command name. */
function commandName(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') break;
    if (arg.startsWith('-')) {
      if (VALUE_OPTIONS.has(arg)) i++;
      continue;
    }
    return arg;
  }
  return undefined;
}

/**
 * The entries a run needs: just the named command when argv names a known one,
 * otherwise all (help, version, no command, or an unknown name commander reports).
 */
export function entriesFor(args: readonly string[]): readonly CommandEntry[] {
  const name = commandName(args);
  if (name !== undefined) {
    const entry = commandEntries.find((e) => e.name === name);
    return entry ? [entry] : commandEntries;
  }
  // `shinykit --version` prints and exits: it needs no command at all.
  return args.includes('-v') || args.includes('--version') ? [] : commandEntries;
}

/**
 * The program with the commands `args` (argv without node and script) needs; all by default.
 * With no command named (`shinykit --help`, bare `shinykit`) the build's manifest stands in
 * for the commands, so the overview loads none of them; `manifest: false` forces the real ones.
 */
export async function createProgram(args: readonly string[] = [], opts: { manifest?: boolean; runtime?: Runtime } = {}): Promise<Command> {
  const program = new Command('shinykit')
    .description('Shiny and Dash apps on AWS behind ShinyProxy, with Cognito login and per-app groups')
    .version(packageVersion(), '-v, --version', 'print the version')
    .option('--config <file>', 'the shinykit config file (default: shinykit.yaml here or in the nearest folder above)')
    .option('--outputs <file>', 'stack outputs written by `shinykit deploy` (default: cdk-outputs.json beside the config)')
    .option('--profile <name>', 'AWS profile to use (default: the SDK default chain)')
    .option('--region <region>', 'AWS region (default: shinykit.yaml, then the stack outputs, then the SDK)')
    .addOption(new Option('--debug', 'show stack traces and extra detail').default(false))
    .option('-q, --quiet', 'print only results, warnings and errors (no progress or notes)')
    .option('--no-color', 'no colour (also: the NO_COLOR environment variable; colour is only ever used on a terminal)')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });
  const entries = entriesFor(args);
  const manifest = entries.length > 0 && opts.manifest !== false && commandName(args) === undefined ? readManifest() : undefined;
  if (manifest) {
    program.configureHelp(manifestHelp(manifest));
    for (const command of placeholderCommands(manifest)) program.addCommand(command);
  } else {
    for (const command of await Promise.all(entries.map((e) => e.load()))) program.addCommand(command);
  }
  // Usage errors from commander (unknown option, missing argument) must exit 2, not 1;
  // every command's help lists the global options it accepts (--config, --profile, ...).
  const configure = (cmd: Command) => {
    cmd.exitOverride();
    cmd.configureHelp({ ...cmd.configureHelp(), showGlobalOptions: true }); // keeps the manifest's terms
    cmd.commands.forEach(configure);
  };
  configure(program);
  if (opts.runtime) attachRuntime(program, opts.runtime);
  return program;
}

/** The process this run is in, read once (see the test hooks at the top). */
export function processRuntime(env: NodeJS.ProcessEnv = process.env): Runtime {
  return {
    io: {
      isTTY: { stdin: Boolean(process.stdin.isTTY), stdout: Boolean(process.stdout.isTTY), stderr: Boolean(process.stderr.isTTY) },
      isCI: Boolean(env.CI),
      noColor: Boolean(env.NO_COLOR),
      streams: { stdout: process.stdout, stderr: process.stderr },
    },
    timing: timingFrom(env),
    env,
  };
}

export function timingFrom(env: NodeJS.ProcessEnv): Timing {
  const ms = (name: string, fallback: number) => {
    const value = Number(env[name]);
    return env[name] && Number.isFinite(value) && value >= 0 ? value : fallback;
  };
  return {
    hostCommandPollMs: ms('SHINYKIT_APPLY_POLL_MS', DEFAULT_TIMING.hostCommandPollMs),
    applyPollMs: ms('SHINYKIT_APPLY_POLL_MS', DEFAULT_TIMING.applyPollMs),
    sessionPollMs: ms('SHINYKIT_SESSION_POLL_MS', DEFAULT_TIMING.sessionPollMs),
    logsPollMs: ms('SHINYKIT_LOGS_POLL_MS', DEFAULT_TIMING.logsPollMs),
  };
}

export async function main(argv: readonly string[] = process.argv): Promise<number> {
  try {
    const runtime = processRuntime();
    const program = await createProgram(argv.slice(2), { runtime });
    await program.parseAsync([...argv]);
    return 0;
  } catch (err) {
    const debug = argv.includes('--debug');
    const profileAt = argv.indexOf('--profile');
    const profile = profileAt > 0 ? argv[profileAt + 1] : argv.find((a) => a.startsWith('--profile='))?.slice('--profile='.length);
    const { exitCode, lines } = reportError(err, debug, { profile, env: process.env });
    // Red "error:" only when stderr itself is a terminal (and no NO_COLOR / --no-color).
    const red = useColor(Boolean(process.stderr.isTTY), { noColor: Boolean(process.env.NO_COLOR), color: !argv.includes('--no-color') });
    for (const line of lines) process.stderr.write(`${red ? line.replace(/^error:/, '\u001b[31merror:\u001b[0m') : line}\n`);
    return exitCode;
  }
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    if (pkg.version) return pkg.version;
  } catch {
    // Running from source: package.json is one level up instead.
  }
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}
