/**
 * CDK entry point (cdk.json: `node --import tsx bin/shinykit.ts`; npx would add a second npm start-up to every synth): load and validate
 * shinykit.yaml, then build the stacks with the cdk-nag checks on.
 *
 * Config file: `-c config=<file>`, else $SHINYKIT_CONFIG, else ./shinykit.yaml.
 * aws-cdk-lib's built-in CloudFormation validation is off (it triples synth time and
 * our CI runs it with cdk-nag and cfn-lint on every config variant);
 * `CDK_VALIDATION=true` turns it back on.
 */
import { dirname, resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { ConfigError, formatProblem, loadConfig } from '../lib/config/index.js';
import { readSamlMetadata } from '../lib/config/files.js';
import { InputError } from '../lib/errors.js';
import { buildApp } from '../lib/app.js';

function configPath(): string {
  // A throwaway App reads the CLI's context (-c key=value) without synthesizing anything.
  const fromContext: unknown = new App({ autoSynth: false }).node.tryGetContext('config');
  if (typeof fromContext === 'string' && fromContext !== '') return fromContext;
  return process.env.SHINYKIT_CONFIG || 'shinykit.yaml';
}

const file = configPath();
try {
  const config = loadConfig(file);
  const samlMetadata = readSamlMetadata(config, dirname(resolve(file)));
  buildApp(config, { nag: true, samlMetadata, cfnValidation: process.env.CDK_VALIDATION === 'true' }).app.synth();
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.file} is not a valid shinykit config:\n`);
    for (const p of err.problems) process.stderr.write(`  ${formatProblem(err.file, p)}\n`);
    process.stderr.write('Fix the file (check it with `npx shinykit validate`) and run the command again.\n');
    process.exit(2);
  }
  // Other mistakes in what the config points at (a missing SAML metadata file, ...).
  if (err instanceof InputError) {
    process.stderr.write(`${err.message}\n${err.hint ? `${err.hint}\n` : ''}`);
    process.exit(2);
  }
  throw err;
}
