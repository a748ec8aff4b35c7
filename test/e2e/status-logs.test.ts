/**
 * `shinykit status` and `shinykit logs` end to end: the built CLI against a real moto_server
 * (EC2 for the instance, SSM Run Command, CloudWatch Logs). Log streams are written the way the
 * host's CloudWatch agent names them (cli/logs/index.ts says where the names come from). moto
 * runs no command on an instance (every invocation is Success with empty output), so for
 * `status` the host script (assets/host/shinykit-status.py) runs for real in a temporary root
 * and a proxy in front of moto hands its output back as the invocation's (failingInvocationProxy).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeImagesCommand, EC2Client, RunInstancesCommand, StopInstancesCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appStreamPrefix } from '../../cli/logs/index.js';
import { hostAssetsDir } from '../../lib/host-bootstrap.js';
import { runCli } from '../support/cli.js';
import { applyProject, failingInvocationProxy } from '../support/apply-fixture.js';
import { startMoto, TEST_REGION, type Moto } from '../support/moto.js';

const GROUP = '/shinykit/analytics/host';
const creds = { accessKeyId: 'testing', secretAccessKey: 'testing' };
let moto: Moto;
let project: ReturnType<typeof applyProject>;
let instanceId: string;

async function startInstance(): Promise<string> {
  const ec2 = new EC2Client({ endpoint: moto.url, region: TEST_REGION, credentials: creds });
  const image = (await ec2.send(new DescribeImagesCommand({}))).Images![0]!.ImageId!;
  const res = await ec2.send(new RunInstancesCommand({ ImageId: image, InstanceType: 't3.small', MinCount: 1, MaxCount: 1 }));
  return res.Instances![0]!.InstanceId!;
}

/** The project's outputs, pointed at the moto instance. */
function useInstance(id: string): void {
  const outputs = JSON.parse(readFileSync(project.outputs, 'utf8'));
  outputs['analytics-host'].HostInstanceId = id;
  writeFileSync(project.outputs, JSON.stringify(outputs));
}

async function writeLogs(): Promise<void> {
  const logs = new CloudWatchLogsClient({ endpoint: moto.url, region: TEST_REGION, credentials: creds });
  await logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
  const now = Date.now();
  const put = async (stream: string, lines: string[]) => {
    await logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: stream }));
    await logs.send(new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: stream, logEvents: lines.map((message, i) => ({ message, timestamp: now - 60_000 + i })) }));
  };
  await put(`${instanceId}/shinyproxy`, [
    'Started ShinyProxy in 21.3 seconds',
    '[user=ana@example.org proxyId=p1aa specId=shiny-demo] Proxy activated',
    '[user=bob@example.org proxyId=p2bb specId=shiny-demo] Proxy activated',
  ]);
  await put(`${instanceId}/nginx-error`, ['2026/12/02 10:00:00 [error] 12#12: upstream timed out']);
  await put(`${instanceId}/nginx-access`, ['203.0.113.7 - - "GET / HTTP/2.0" 302']);
  await put(`${instanceId}/bootstrap`, ['== bootstrap finished']);
  await put(`${appStreamPrefix(instanceId, 'shiny-demo')}p1aa_1764669600_stdout.log`, ['Listening on http://0.0.0.0:3838 (ana)']);
  await put(`${appStreamPrefix(instanceId, 'shiny-demo')}p2bb_1764669700_stdout.log`, ['Listening on http://0.0.0.0:3838 (bob)']);
  await put(`${appStreamPrefix(instanceId, 'dash-demo')}p3cc_1764669800_stderr.log`, ['dash warning']);
}

beforeAll(async () => {
  moto = await startMoto();
  project = applyProject();
  instanceId = await startInstance();
  useInstance(instanceId);
  await writeLogs();
}, 120_000);
afterAll(async () => moto?.stop());

const cli = (args: string[], endpoint = moto.url) =>
  runCli(['--config', project.config, '--outputs', project.outputs, ...args], {
    cwd: project.dir,
    env: { ...moto.env, AWS_ENDPOINT_URL: endpoint, SHINYKIT_APPLY_POLL_MS: '50' },
  });

describe('shinykit logs (built CLI against moto CloudWatch Logs)', () => {
  it('shows ShinyProxy\'s log by default', async () => {
    const res = await cli(['logs']);
    expect(res.stderr).toBe('');
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toContain('Started ShinyProxy in 21.3 seconds');
    expect(res.stdout).not.toContain('upstream timed out');
  });

  it('`logs nginx --grep` reads both nginx streams and keeps only matching lines', async () => {
    const res = await cli(['logs', 'nginx', '--grep', 'timed out|302']);
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toMatch(/nginx-error .*upstream timed out/);
    expect(res.stdout).toMatch(/nginx-access .*"GET \/ HTTP\/2.0" 302/);
    const none = await cli(['logs', 'nginx', '--grep', 'no such line']);
    expect(none.stdout).toBe('');
  });

  it('`logs app <id>` reads that app\'s container files only; --user narrows to that user\'s sessions', async () => {
    const all = await cli(['logs', 'app', 'shiny-demo']);
    expect(all.exitCode).toBe(0);
    expect(all.stdout).toContain('(ana)');
    expect(all.stdout).toContain('(bob)');
    expect(all.stdout).not.toContain('dash warning');
    const ana = await cli(['logs', 'app', 'shiny-demo', '--user', 'ana@example.org']);
    expect(ana.exitCode).toBe(0);
    expect(ana.stdout).toMatch(/p1aa stdout Listening on http:\/\/0\.0\.0\.0:3838 \(ana\)/);
    expect(ana.stdout).not.toContain('(bob)');
  });

  it('--since excludes older lines; bad input exits 2 naming the problem', async () => {
    expect((await cli(['logs', 'bootstrap', '--since', '10s'])).stdout).toBe('');
    expect((await cli(['logs', 'bootstrap', '--since', '1h'])).stdout).toContain('bootstrap finished');
    const badSince = await cli(['logs', '--since', '5x']);
    expect(badSince.exitCode).toBe(2);
    expect(badSince.stderr).toContain('--since 5x: expected a duration such as 30m, 1h or 2d');
    const badApp = await cli(['logs', 'app', 'nope']);
    expect(badApp.exitCode).toBe(2);
    expect(badApp.stderr).toContain('no app "nope"');
    const badWhat = await cli(['logs', 'everything']);
    expect(badWhat.exitCode).toBe(2);
  });
});

describe('shinykit status (built CLI; moto EC2 + SSM, the host script run for real)', () => {
  function hostReport(): string {
    const root = mkdtempSync(join(tmpdir(), 'shinykit-status-root-'));
    const proc = join(root, 'proc');
    mkdirSync(proc);
    writeFileSync(join(proc, 'meminfo'), 'MemTotal: 1995000 kB\nMemAvailable: 900000 kB\nSwapTotal: 1994752 kB\nSwapFree: 1994752 kB\n');
    writeFileSync(join(proc, 'uptime'), '7200.5 10.0\n');
    mkdirSync(join(root, 'etc/shinyproxy'), { recursive: true });
    writeFileSync(join(root, 'etc/shinyproxy/application.yml'), 'proxy:\n  container-backend: docker\n  specs:\n    - id: shiny-demo\n      container-image: reg/a@sha256:' + 'a'.repeat(64) + '\n');
    const docker = join(root, 'docker');
    writeFileSync(docker, '#!/bin/bash\ncase "$1" in\n  ps) printf "shiny-demo\\tana@example.org\\tp1aa\\tnow\\nshiny-demo\\tbob@example.org\\tp2bb\\tnow\\n" ;;\nesac\n');
    chmodSync(docker, 0o755);
    const res = spawnSync('python3', [join(hostAssetsDir(), 'shinykit-status.py')], {
      encoding: 'utf8',
      env: { ...process.env, SHINYKIT_ROOT: root, SHINYKIT_PROC: proc, SHINYKIT_DOCKER: docker, SHINYKIT_SYSTEMCTL: 'echo active', SHINYKIT_ENV_FILE: join(root, 'none') },
    });
    expect(res.stderr).toBe('');
    return res.stdout;
  }

  it('--json combines the instance (EC2) with the host\'s report (Run Command): memory, services, sessions per app and user', async () => {
    const proxy = await failingInvocationProxy(moto.url, { status: 'Success', responseCode: 0, stdout: hostReport() });
    try {
      const res = await cli(['status', '--json'], proxy.url);
      expect(res.exitCode).toBe(0);
      const doc = JSON.parse(res.stdout);
      expect(doc).toMatchObject({ instanceId, instance: { state: 'running', type: 't3.small' } });
      expect(doc.host.host.memory).toEqual({ totalMiB: 1948, availableMiB: 878 });
      expect(doc.host.sessionCount).toBe(2);
      const text = await cli(['status'], proxy.url);
      expect(text.stdout).toContain(`Host ${instanceId} (t3.small): running`);
      expect(text.stdout).toContain('up 2 h 0 min');
      expect(text.stdout).toContain('Sessions: 2 open');
      expect(text.stdout).toContain('shiny-demo: 2 (ana@example.org, bob@example.org)');
    } finally {
      await proxy.close();
    }
  });

  it('a stopped instance is reported without asking it anything', async () => {
    const ec2 = new EC2Client({ endpoint: moto.url, region: TEST_REGION, credentials: creds });
    const stopped = await startInstance();
    await ec2.send(new StopInstancesCommand({ InstanceIds: [stopped] }));
    useInstance(stopped);
    try {
      const res = await cli(['status']);
      expect(res.exitCode).toBe(0);
      expect(res.stdout).toContain('stopped');
      expect(res.stdout).toContain('nothing to ask');
    } finally {
      useInstance(instanceId);
    }
  });

  it('--watch without a terminal is refused with exit 2', async () => {
    const res = await cli(['status', '--watch']);
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain('--watch refreshes a terminal screen');
  });
});
