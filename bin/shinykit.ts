/**
 * CDK entry point (cdk.json: `npx tsx bin/shinykit.ts`): load and validate
 * shinykit.yaml, then build the stacks with the cdk-nag checks on.
 *
 * Config file: `-c config=<file>`, else $SHINYKIT_CONFIG, else ./shinykit.yaml.
 */
import { dirname, resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { ConfigError, formatProblem, loadConfig, type Config } from '../lib/config.js';
import { buildApp } from '../lib/app.js';

function configPath(): string {
  // A throwaway App reads the CLI's context (-c key=value) without synthesizing anything.
  const fromContext: unknown = new App({ autoSynth: false }).node.tryGetContext('config');
  if (typeof fromContext === 'string' && fromContext !== '') return fromContext;
  return process.env.SHINYKIT_CONFIG || 'shinykit.yaml';
}

let config: Config;
const file = configPath();
try {
  config = loadConfig(file);
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.file} is not a valid shinykit config:\n`);
    for (const p of err.problems) process.stderr.write(`  ${formatProblem(err.file, p)}\n`);
    process.stderr.write('Fix the file (check it with `npx shinykit validate`) and run the command again.\n');
    process.exit(2);
  }
  throw err;
}

buildApp(config, { nag: true, configDir: dirname(resolve(file)) }).app.synth();
