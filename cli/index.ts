/**
 * The shinykit CLI: the commander program, the global options, and the single
 * place that turns errors into exit codes (see cli/lib/errors.ts).
 */
import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { commandFactories } from './commands/index.js';
import { reportError } from './lib/errors.js';

export function createProgram(): Command {
  const program = new Command('shinykit')
    .description('Shiny and Dash apps on AWS behind ShinyProxy, with Cognito login and per-app groups')
    .version(packageVersion(), '-V, --version')
    .option('--config <file>', 'the shinykit config file', 'shinykit.yaml')
    .option('--outputs <file>', 'stack outputs written by `cdk deploy`', 'cdk-outputs.json')
    .option('--profile <name>', 'AWS profile to use (default: the SDK default chain)')
    .option('--region <region>', 'AWS region (default: shinykit.yaml, then the stack outputs, then the SDK)')
    .addOption(new Option('--debug', 'show stack traces and extra detail').default(false))
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });
  for (const make of commandFactories) program.addCommand(make());
  // Usage errors from commander (unknown option, missing argument) must exit 2, not 1.
  const exitOverride = (cmd: Command) => {
    cmd.exitOverride();
    cmd.commands.forEach(exitOverride);
  };
  exitOverride(program);
  return program;
}

export async function main(argv: readonly string[] = process.argv): Promise<number> {
  const program = createProgram();
  try {
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
