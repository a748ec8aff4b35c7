/**
 * The bootstrap's failure path, run for real: cfn-signal is installed first, on its
 * own and retried; after that, when a step fails, CloudFormation gets a FAILURE
 * signal whose id names the instance and the step, and the log tail goes to the
 * serial console and to the bootstrap status parameter.
 * The commands that need a real EC2 instance are stubs on PATH: the metadata
 * service (curl), dnf (recording its arguments; installing aws-cfn-bootstrap puts a
 * recording cfn-signal in place, as the package does, and every other install
 * fails, as with an unreachable package mirror) and the status publisher. Each run
 * stops before anything outside its temporary directories would be touched.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostAssetsDir } from '../../lib/host-bootstrap.js';

function stub(dir: string, name: string, body: string): void {
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/bash\n${body}\n`);
  chmodSync(file, 0o755);
}

interface Run {
  dir: string;
  out: string;
  status: number | null;
  dnfCalls: string[];
  signal?: string;
  console: string;
  log: string;
}

/** Runs the bootstrap with stubs; `cfnBootstrapInstalls` says whether `dnf install aws-cfn-bootstrap` succeeds. */
function runBootstrap(opts: { cfnBootstrapInstalls: boolean; metadataAnswers: boolean }): Run {
  const dir = mkdtempSync(join(tmpdir(), 'shinykit-boot-'));
  const bin = join(dir, 'bin');
  const out = join(dir, 'out');
  mkdirSync(bin);
  mkdirSync(out);
  // Where the package would put cfn-signal; absent until dnf installs it.
  const cfnSignal = join(dir, 'opt-aws-bin', 'cfn-signal');
  stub(bin, 'curl', opts.metadataAnswers
    ? [
        'case "$*" in',
        '  *api/token*) echo token ;;',
        '  *meta-data/instance-id*) echo i-0abc1234def567890 ;;',
        '  *instance-identity/document*) echo \'{"accountId": "123456789012", "region": "eu-west-1"}\' ;;',
        '  *) exit 7 ;;',
        'esac',
      ].join('\n')
    : 'echo "curl: (7) Failed to connect to 169.254.169.254" >&2; exit 7');
  stub(bin, 'dnf', [
    `echo "$*" >> ${out}/dnf`,
    'if [ "$*" = "-y -q install aws-cfn-bootstrap" ]; then',
    opts.cfnBootstrapInstalls
      ? `  mkdir -p ${join(dir, 'opt-aws-bin')}; printf '#!/bin/bash\\necho "$*" >> ${out}/signal\\n' > ${cfnSignal}; chmod 755 ${cfnSignal}; exit 0`
      : '  echo "Error: Failed to download metadata for repo \'amazonlinux\'" >&2; exit 1',
    'fi',
    'echo "Error: Failed to download metadata for repo \'amazonlinux\': Cannot download repomd.xml" >&2; exit 1',
  ].join('\n'));
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
      SHINYKIT_CFN_SIGNAL: cfnSignal,
      SHINYKIT_CONSOLE: join(out, 'console'),
      SHINYKIT_RETRY_DELAY: '0',
    },
  });
  const read = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8') : undefined);
  return {
    dir,
    out,
    status: res.status,
    dnfCalls: (read(join(out, 'dnf')) ?? '').trim().split('\n'),
    signal: read(join(out, 'signal'))?.trim(),
    console: read(join(out, 'console')) ?? '',
    log: read(join(dir, 'log/bootstrap.log')) ?? '',
  };
}

describe('shinykit-bootstrap failure path', () => {
  it('installs aws-cfn-bootstrap first, alone, then signals FAILURE naming a later failing step, with the log tail on the console and in status/bootstrap', () => {
    const r = runBootstrap({ cfnBootstrapInstalls: true, metadataAnswers: true });
    expect(r.status).not.toBe(0);
    // The first dnf transaction installs aws-cfn-bootstrap and nothing else; the big one comes later without it.
    expect(r.dnfCalls[0]).toBe('-y -q install aws-cfn-bootstrap');
    expect(r.dnfCalls.slice(1).every((c) => c.includes('docker') && !c.includes('aws-cfn-bootstrap'))).toBe(true);

    // One FAILURE signal (-e 1) for the instance's resource, its id naming the step.
    expect(r.signal).toBe('-e 1 --id i-0abc1234def567890:failed:packages --stack analytics-host --resource HostInstance2C59A3BE --region eu-west-1');
    expect(r.console).toContain('shinykit bootstrap failed in step packages');
    expect(r.console).toContain('Failed to download metadata');
    const status = JSON.parse(readFileSync(join(r.out, 'status-bootstrap.json'), 'utf8'));
    expect(status).toMatchObject({ result: 'failed', step: 'packages' });
    expect(status.detail).toContain('Cannot download repomd.xml');
    // dnf was retried before giving up.
    expect(r.log).toContain('attempt 5 of');
    expect(existsSync(join(r.dir, 'state/bootstrap.json'))).toBe(true);
  });

  it('signals FAILURE for a step before the instance id is known (the metadata service does not answer)', () => {
    const r = runBootstrap({ cfnBootstrapInstalls: true, metadataAnswers: false });
    expect(r.status).not.toBe(0);
    expect(r.signal).toBe('-e 1 --id instance:failed:metadata --stack analytics-host --resource HostInstance2C59A3BE --region eu-west-1');
    expect(r.console).toContain('shinykit bootstrap failed in step metadata');
  });

  it('retries the aws-cfn-bootstrap install, and when it never succeeds says so on the console (no cfn-signal to send with)', () => {
    const r = runBootstrap({ cfnBootstrapInstalls: false, metadataAnswers: true });
    expect(r.status).not.toBe(0);
    expect(r.dnfCalls).toEqual(Array(6).fill('-y -q install aws-cfn-bootstrap'));
    expect(r.signal).toBeUndefined();
    expect(r.console).toContain('shinykit bootstrap failed in step cfn-bootstrap');
    expect(r.log).toContain('cfn-signal is not installed; CloudFormation will time out waiting for this host');
  });
});
