/**
 * The shinykit CLI: the commander program, the global options, and the single
 * place that turns errors into exit codes (see cli/lib/errors.ts).
 */
import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { commandEntries, type CommandEntry } from './commands/index.js';
import { reportError } from './lib/errors.js';

/** Global options that take a value: their value is not a command name. */
const VALUE_OPTIONS = new Set(['--config', '--outputs', '--profile', '--region']);

/**
 * The entries a run needs: just the named command when argv names a known one,
 * otherwise all (help, version, no command, or an unknown name commander reports).
 */
export function entriesFor(args: readonly string[]): readonly CommandEntry[] {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') break;
    if (arg.startsWith('-')) {
      if (VALUE_OPTIONS.has(arg)) i++;
      continue;
    }
    const entry = commandEntries.find((e) => e.name === arg);
    return entry ? [entry] : commandEntries;
  }
  // `shinykit --version` prints and exits: it needs no command at all.
  return args.includes('-V') || args.includes('--version') ? [] : commandEntries;
}

/** The program with the commands `args` (argv without node and script) needs; all by default. */
export async function createProgram(args: readonly string[] = []): Promise<Command> {
  const program = new Command('shinykit')
    .description('Shiny and Dash apps on AWS behind ShinyProxy, with Cognito login and per-app groups')
    .version(packageVersion(), '-V, --version')
    .option('--config <file>', 'the shinykit config file (default: shinykit.yaml here or in the nearest folder above)')
    .option('--outputs <file>', 'stack outputs written by `shinykit deploy` (default: cdk-outputs.json beside the config)')
    .option('--profile <name>', 'AWS profile to use (default: the SDK default chain)')
    .option('--region <region>', 'AWS region (default: shinykit.yaml, then the stack outputs, then the SDK)')
    .addOption(new Option('--debug', 'show stack traces and extra detail').default(false))
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });
  for (const command of await Promise.all(entriesFor(args).map((e) => e.load()))) program.addCommand(command);
  // Usage errors from commander (unknown option, missing argument) must exit 2, not 1.
  const exitOverride = (cmd: Command) => {
    cmd.exitOverride();
    cmd.commands.forEach(exitOverride);
  };
  exitOverride(program);
  return program;
}

export async function main(argv: readonly string[] = process.argv): Promise<number> {
  try {
    const program = await createProgram(argv.slice(2));
    await program.parseAsync([...argv]);
    return 0;
  } catch (err) {
    const debug = argv.includes('--debug');
    const { exitCode, lines } = reportError(err, debug);
    for (const line of lines) process.stderr.write(`${line}\n`);
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
