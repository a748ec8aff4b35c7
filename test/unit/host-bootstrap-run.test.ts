/**
 * The bootstrap's failure path, run for real: when a step fails, CloudFormation
 * gets a FAILURE signal whose id names the instance and the step, and the log
 * tail goes to the serial console and to the bootstrap status parameter.
 * The commands that need a real EC2 instance are stubs on PATH: the metadata
 * service (curl), dnf (failing, as with an unreachable package mirror),
 * cfn-signal and the status publisher (both record what they were given). The
 * run stops at the package step, before anything outside the temporary
 * directories would be touched.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostAssetsDir } from '../../lib/constructs/host-bootstrap.js';

function stub(dir: string, name: string, body: string): void {
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/bash\n${body}\n`);
  chmodSync(file, 0o755);
}

describe('shinykit-bootstrap failure path', () => {
  it('signals FAILURE with the failing step, and leaves the log tail on the console and in status/bootstrap', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shinykit-boot-'));
    const bin = join(dir, 'bin');
    const out = join(dir, 'out');
    mkdirSync(bin);
    mkdirSync(out);
    stub(bin, 'curl', [
      'case "$*" in',
      '  *api/token*) echo token ;;',
      '  *meta-data/instance-id*) echo i-0abc1234def567890 ;;',
      '  *instance-identity/document*) echo \'{"accountId": "123456789012", "region": "eu-west-1"}\' ;;',
      '  *) exit 7 ;;',
      'esac',
    ].join('\n'));
    stub(bin, 'dnf', 'echo "Error: Failed to download metadata for repo \'amazonlinux\': Cannot download repomd.xml" >&2; exit 1');
    stub(bin, 'cfn-signal', `echo "$*" >> ${out}/signal`);
    stub(bin, 'shinykit-publish-status', `cp "$2" "${out}/status-$1.json"`);
    const envFile = join(dir, 'host.env');
    writeFileSync(envFile, [
      "SHINYKIT_REGION='eu-west-1'",
      "SHINYKIT_PREFIX='/shinykit/analytics/'",
      "SHINYKIT_STACK='analytics-host'",
      "SHINYKIT_RESOURCE='HostInstance2C59A3BE'",
      '',
    ].join('\n'));

    const res = spawnSync('bash', [join(hostAssetsDir(), 'shinykit-bootstrap.sh')], {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        HOME: dir,
        SHINYKIT_TEST_BIN: bin,
        SHINYKIT_ENV_FILE: envFile,
        SHINYKIT_STATE_DIR: join(dir, 'state'),
        SHINYKIT_LOG_DIR: join(dir, 'log'),
        SHINYKIT_CFN_SIGNAL: join(bin, 'cfn-signal'),
        SHINYKIT_CONSOLE: join(out, 'console'),
        SHINYKIT_RETRY_DELAY: '0',
      },
    });
    expect(res.status).not.toBe(0);

    // One FAILURE signal (-e 1) for the instance's resource, its id naming the step.
    expect(readFileSync(join(out, 'signal'), 'utf8').trim()).toBe(
      '-e 1 --id i-0abc1234def567890:failed:packages --stack analytics-host --resource HostInstance2C59A3BE --region eu-west-1',
    );
    const console = readFileSync(join(out, 'console'), 'utf8');
    expect(console).toContain('shinykit bootstrap failed in step packages');
    expect(console).toContain('Failed to download metadata');
    const status = JSON.parse(readFileSync(join(out, 'status-bootstrap.json'), 'utf8'));
    expect(status).toMatchObject({ result: 'failed', step: 'packages' });
    expect(status.detail).toContain('Cannot download repomd.xml');
    // dnf was retried before giving up.
    expect(readFileSync(join(dir, 'log/bootstrap.log'), 'utf8')).toContain('attempt 5 of');
    expect(existsSync(join(dir, 'state/bootstrap.json'))).toBe(true);
  });
});
