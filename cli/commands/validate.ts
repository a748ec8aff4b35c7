/**
 * `shinykit validate`: check shinykit.yaml and list every problem with its path:
 * the schema (lib/config/), then the files it names (cli/lib/config-files.ts).
 */
import { Command } from 'commander';
import { ConfigError, type Config, type ConfigProblem } from '../../lib/config/index.js';
import { loadCheckedConfig } from '../lib/config-files.js';
import { createContext, missingConfigError } from '../lib/context.js';
import { ExitCode, QuietExit } from '../lib/errors.js';
import { deployedMfaMode } from '../plan/identity.js';
import { mfaTransition } from '../../lib/mfa.js';

export interface ValidateResult {
  readonly file: string;
  readonly valid: boolean;
  readonly problems: readonly ConfigProblem[];
  readonly config?: Config;
}

/**
 * `outputsFile` (cdk-outputs.json of the last deploy), when given and present, adds
 * what the deployed pool makes impossible: an MFA switch CloudFormation refuses.
 */
export function runValidate(opts: { file: string; outputsFile?: string }): ValidateResult {
  try {
    const config = loadCheckedConfig(opts.file);
    const deployed = opts.outputsFile ? deployedMfaMode(config, opts.outputsFile) : undefined;
    const t = deployed ? mfaTransition(deployed, config.cognito.mfa) : undefined;
    if (t?.verdict === 'refused') {
      const problem = { path: 'cognito.mfa', message: `the deployed pool has MFA ${t.from}: ${t.message}; ${t.fix}` };
      return { file: opts.file, valid: false, problems: [problem] };
    }
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
      const result = runValidate({ file: ctx.options.config, outputsFile: ctx.options.outputs });
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
