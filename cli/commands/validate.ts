/**
 * `shinykit validate`: check shinykit.yaml and list every problem with its path:
 * the schema (lib/config.ts), then the files it names (cli/lib/config-files.ts).
 */
import { Command } from 'commander';
import { ConfigError, type Config, type ConfigProblem } from '../../lib/config.js';
import { loadCheckedConfig } from '../lib/config-files.js';
import { createContext, missingConfigError } from '../lib/context.js';
import { ExitCode, QuietExit } from '../lib/errors.js';

export interface ValidateResult {
  readonly file: string;
  readonly valid: boolean;
  readonly problems: readonly ConfigProblem[];
  readonly config?: Config;
}

export function runValidate(opts: { file: string }): ValidateResult {
  try {
    const config = loadCheckedConfig(opts.file);
    return { file: opts.file, valid: true, problems: [], config };
  } catch (err) {
    if (err instanceof ConfigError) return { file: opts.file, valid: false, problems: err.problems };
    throw err;
  }
}

export function validateCommand(): Command {
  return new Command('validate')
    .description('check shinykit.yaml and print every problem with its path')
    .option('--json', 'print the result as JSON')
    .action((opts: { json?: boolean }, cmd: Command) => {
      const ctx = createContext(cmd);
      if (ctx.options.configMissing) throw missingConfigError();
      const result = runValidate({ file: ctx.options.config });
      if (opts.json) {
        ctx.out.json({ file: result.file, valid: result.valid, problems: result.problems });
        if (!result.valid) throw new QuietExit(ExitCode.Usage);
        return;
      }
      if (!result.valid) throw new ConfigError(result.file, result.problems);
      const cfg = result.config!;
      ctx.out.result(
        `${result.file} is valid: project ${cfg.name}, ${cfg.apps.length} app(s) (${cfg.apps.map((a) => a.id).join(', ')}), ` +
          `${Object.keys(cfg.cognito.groups).length} group(s)`,
      );
    });
}
