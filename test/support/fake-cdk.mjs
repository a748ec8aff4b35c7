#!/usr/bin/env node
// Stands in for the CDK CLI in the deploy/destroy tests, because its deploy and destroy
// talk to CloudFormation in a real AWS account, which these machines cannot reach.
// Everything that can run offline still runs for real: on `deploy` this calls the
// pinned aws-cdk CLI (FAKE_CDK_REAL) to `synth` with the very --app and --context the
// kit passed, so the app command and config path are proven, and then writes the
// outputs file where `--outputs-file` says, as cdk deploy does.
//   FAKE_CDK_LOG      file to append {argv, cwd, region} to, one JSON line per run
//   FAKE_CDK_OUTPUTS  JSON file copied to --outputs-file on deploy
//   FAKE_CDK_SYNTH    "1": run the real synth first
//   FAKE_CDK_EXIT     exit with this code instead of working
import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';

const argv = process.argv.slice(2);
appendFileSync(process.env.FAKE_CDK_LOG, `${JSON.stringify({ argv, cwd: process.cwd(), region: process.env.AWS_REGION ?? null })}\n`);
if (process.env.FAKE_CDK_EXIT) process.exit(Number(process.env.FAKE_CDK_EXIT));
const value = (flag) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);

if (argv[0] === 'deploy') {
  if (process.env.FAKE_CDK_SYNTH === '1') {
    const out = mkdtempSync(join(tmpdir(), 'fake-cdk-out-'));
    const pass = ['--app', value('--app'), '--context', value('--context')];
    const res = spawnSync(process.execPath, [process.env.FAKE_CDK_REAL, 'synth', '--quiet', '--no-notices', '--output', out, ...pass], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
    });
    rmSync(out, { recursive: true, force: true });
    if (res.status !== 0) process.exit(res.status ?? 1);
    process.stderr.write('fake-cdk: real synth ok\n');
  }
  // cdk's own approval question, asked as cdk asks it: only when approval is required.
  if (value('--require-approval') !== 'never') {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    const answer = await rl.question('Do you wish to deploy these changes (y/n)? ');
    rl.close();
    if (answer.trim() !== 'y') process.exit(1);
  }
  copyFileSync(process.env.FAKE_CDK_OUTPUTS, value('--outputs-file'));
}
