/**
 * `shinykit deploy` and `shinykit open`, run as the built CLI in a project that
 * `shinykit init` made. The CDK CLI is replaced by test/support/fake-cdk.mjs only
 * because cdk deploy needs a real AWS account (CloudFormation); the fake still runs
 * the real pinned cdk's `synth` on the app and config the kit passed.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../support/cli.js';
import { startMoto, TEST_REGION, type Moto } from '../support/moto.js';
import { runCliOnTty } from '../support/tty.js';

const FAKE_CDK = fileURLToPath(new URL('../support/fake-cdk.mjs', import.meta.url));
const REAL_CDK = join(ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk');

interface CdkCall {
  readonly argv: string[];
  readonly cwd: string;
  readonly region: string | null;
}

function calls(log: string): CdkCall[] {
  return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as CdkCall) : [];
}

const OUTPUTS = {
  'demo-data': {
    UserPoolId: 'eu-west-1_Abc123',
    UserPoolClientId: 'client123',
    CognitoDomainUrl: 'https://demo-login-1a2b.auth.eu-west-1.amazoncognito.com',
    HostPublicIp: '203.0.113.10',
    Region: 'eu-west-1',
  },
  'demo-host': { SiteUrl: 'https://203.0.113.10.sslip.io', SiteHostname: '203.0.113.10.sslip.io', HostInstanceId: 'i-0123456789abcdef0' },
};

async function project(extra: string[] = []): Promise<{ dir: string; log: string; env: Record<string, string> }> {
  const base = mkdtempSync(join(tmpdir(), 'shinykit-deploy-'));
  const dir = join(base, 'demo');
  const init = await runCli(['init', dir, '--name', 'demo', '--email', 'ops@demo.org', '--yes', ...extra]);
  expect(init.exitCode, init.stderr).toBe(0);
  const outputs = join(base, 'outputs.json');
  writeFileSync(outputs, JSON.stringify(OUTPUTS));
  const log = join(base, 'cdk-calls.jsonl');
  return {
    dir,
    log,
    env: { SHINYKIT_CDK: FAKE_CDK, FAKE_CDK_LOG: log, FAKE_CDK_OUTPUTS: outputs, FAKE_CDK_REAL: REAL_CDK, AWS_REGION: 'eu-west-1' },
  };
}

describe('shinykit deploy (built CLI; cdk deploy faked at the AWS boundary, synth real)', () => {
  let p: Awaited<ReturnType<typeof project>>;
  beforeAll(async () => {
    p = await project();
  });

  it('on a terminal, from a subfolder: explains the approval question before cdk asks it, deploys --all with the kit app, writes the outputs beside shinykit.yaml, prints site, login and next steps', async () => {
    const sub = join(p.dir, 'apps', 'shiny-demo');
    const res = await runCliOnTty(['deploy', '--skip-preflight'], {
      cwd: sub,
      env: { ...p.env, FAKE_CDK_SYNTH: '1' },
      answers: [[/Do you wish to deploy these changes \(y\/n\)\? /, 'y']],
    });
    expect(res.code, res.screen).toBe(0);
    // The real pinned cdk synthesized the app deploy handed it.
    expect(res.screen).toContain('fake-cdk: real synth ok');

    const [call] = calls(p.log);
    expect(call!.cwd).toBe(p.dir); // cdk.out lands in the project, not in the subfolder
    const argv = call!.argv;
    expect(argv.slice(0, 2)).toEqual(['deploy', '--all']);
    expect(argv[argv.indexOf('--app') + 1]).toMatch(/node.* .*dist\/bin\/shinykit\.js$/);
    expect(argv[argv.indexOf('--context') + 1]).toBe(`config=${join(p.dir, 'shinykit.yaml')}`);
    expect(argv[argv.indexOf('--require-approval') + 1]).toBe('broadening');
    expect(argv[argv.indexOf('--outputs-file') + 1]).toBe(join(p.dir, 'cdk-outputs.json'));
    expect(JSON.parse(readFileSync(join(p.dir, 'cdk-outputs.json'), 'utf8'))).toEqual(OUTPUTS);

    const explained = res.screen.indexOf('Before it changes anything, cdk lists the IAM permissions');
    const asked = res.screen.indexOf('Do you wish to deploy these changes');
    expect(explained).toBeGreaterThan(-1);
    expect(explained).toBeLessThan(asked);
    expect(res.screen).toContain('inbound 443 (HTTPS) and 80');
    expect(res.screen).toContain('Site:   https://203.0.113.10.sslip.io');
    expect(res.screen).toContain('Login:  https://demo-login-1a2b.auth.eu-west-1.amazoncognito.com');
    expect(res.screen).toContain('npx shinykit push');
    expect(res.screen).toContain('npx shinykit users add you@example.org --group admin_users');
    expect(res.screen).not.toContain('A record'); // no domain: nothing to do at a DNS provider
  });

  it('without a terminal and without --yes it exits 2 before running cdk', async () => {
    const q = await project();
    const res = await runCli(['deploy', '--skip-preflight'], { cwd: q.dir, env: q.env });
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain('no one is at a terminal');
    expect(res.stderr).toContain('--yes');
    expect(calls(q.log)).toEqual([]);
  });

  it('--yes deploys without asking (--require-approval never) and, with a domain but no hosted zone, names the DNS record to create', async () => {
    const q = await project(['--domain', 'apps.demo.org']);
    const res = await runCli(['deploy', '--yes', '--skip-preflight'], { cwd: q.dir, env: q.env });
    expect(res.exitCode, res.stderr).toBe(0);
    const argv = calls(q.log)[0]!.argv;
    expect(argv[argv.indexOf('--require-approval') + 1]).toBe('never');
    expect(res.stderr).not.toContain('Before it changes anything');
    expect(res.stdout).toContain('create an A record: apps.demo.org -> 203.0.113.10');
  });

  it('--require-approval is passed through, and --profile and --region reach cdk', async () => {
    const q = await project();
    const res = await runCli(['--profile', 'lab', '--region', 'eu-central-1', 'deploy', '--require-approval', 'never', '--skip-preflight'], { cwd: q.dir, env: q.env });
    expect(res.exitCode, res.stderr).toBe(0);
    const call = calls(q.log)[0]!;
    expect(call.argv[call.argv.indexOf('--require-approval') + 1]).toBe('never');
    expect(call.argv[call.argv.indexOf('--profile') + 1]).toBe('lab');
    expect(call.region).toBe('eu-central-1');
  });

  it('a failing cdk deploy exits 1 and says so', async () => {
    const q = await project();
    const res = await runCli(['deploy', '--yes', '--skip-preflight'], { cwd: q.dir, env: { ...q.env, FAKE_CDK_EXIT: '3' } });
    expect(res.exitCode).toBe(1);
    expect(res.stderr).toMatch(/fake-cdk\.mjs deploy failed \(exit code 3\)/);
    expect(existsSync(join(q.dir, 'cdk-outputs.json'))).toBe(false);
  });

  it('outside any project it says there is no shinykit.yaml here or above (exit 2)', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'shinykit-noproj-'));
    const res = await runCli(['deploy', '--yes'], { cwd: empty, env: p.env });
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain(`no shinykit.yaml in ${empty} or any folder above it`);
    expect(res.stderr).toContain('npx shinykit init');
  });
});

// preflight's own checks are proven in preflight.test.ts; here: deploy runs them first and a
// failure stops it before cdk is called. moto stands in for the account (no AWS here).
describe('shinykit deploy runs preflight first (built CLI against moto_server)', () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => {
    await moto?.stop();
  });

  it('on an account without `cdk bootstrap` it stops with the failed check and its fix, and never calls cdk (exit 1)', async () => {
    await moto.reset();
    const q = await project();
    const res = await runCli(['deploy', '--yes'], { cwd: q.dir, env: { ...q.env, ...moto.env } });
    expect(res.exitCode, res.stderr).toBe(1);
    expect(res.stderr).toContain('cdk bootstrap');
    expect(res.stderr).toMatch(/preflight check\(s\) failed, so the deploy would fail: nothing was deployed/);
    expect(calls(q.log)).toEqual([]);
  });

  it('once bootstrapped, the checks pass and the deploy goes ahead', async () => {
    await moto.reset();
    const cfg = { endpoint: moto.url, region: TEST_REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
    await new CloudFormationClient(cfg).send(
      new CreateStackCommand({ StackName: 'CDKToolkit', TemplateBody: JSON.stringify({ Resources: { StagingBucket: { Type: 'AWS::S3::Bucket' } } }) }),
    );
    await new SSMClient(cfg).send(new PutParameterCommand({ Name: '/cdk-bootstrap/hnb659fds/version', Value: '30', Type: 'String', Overwrite: true }));
    const q = await project();
    const res = await runCli(['deploy', '--yes'], { cwd: q.dir, env: { ...q.env, ...moto.env } });
    expect(res.exitCode, res.stderr).toBe(0);
    expect(res.stderr).toContain('Checking the account before deploying');
    expect(calls(q.log)).toHaveLength(1);
  });
});

describe('shinykit open (built CLI)', () => {
  it('without a terminal prints the SiteUrl on stdout', async () => {
    const q = await project();
    writeFileSync(join(q.dir, 'cdk-outputs.json'), JSON.stringify(OUTPUTS));
    const res = await runCli(['open'], { cwd: join(q.dir, 'apps') });
    expect(res.exitCode, res.stderr).toBe(0);
    expect(res.stdout.trim()).toBe('https://203.0.113.10.sslip.io');
  });

  it('on a terminal hands the URL to xdg-open (through the exec wrapper), or prints it when there is none', async () => {
    const q = await project();
    writeFileSync(join(q.dir, 'cdk-outputs.json'), JSON.stringify(OUTPUTS));
    const bin = mkdtempSync(join(tmpdir(), 'shinykit-opener-'));
    const record = join(bin, 'opened.txt');
    // A stand-in browser launcher: no desktop here to open a window on.
    writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\necho "$@" > '${record}'\n`);
    chmodSync(join(bin, 'xdg-open'), 0o755);
    const opened = await runCliOnTty(['open'], { cwd: q.dir, env: { PATH: `${bin}:${process.env.PATH}` } });
    expect(opened.code, opened.screen).toBe(0);
    expect(readFileSync(record, 'utf8').trim()).toBe('https://203.0.113.10.sslip.io');
    expect(opened.screen).toContain('Opened https://203.0.113.10.sslip.io');

    // Without xdg-open: the PATH leaves out every folder that has one (the machine's own, if any).
    const dirs = (process.env.PATH ?? '').split(':').filter((d) => !existsSync(join(d, 'xdg-open')));
    const none = await runCliOnTty(['open'], { cwd: q.dir, env: { PATH: dirs.join(':') } });
    expect(none.code, none.screen).toBe(0);
    expect(none.screen).toMatch(/Could not open a browser \(xdg-open is not installed or not on PATH\)/);
    expect(none.screen).toContain('https://203.0.113.10.sslip.io');
  });
});
