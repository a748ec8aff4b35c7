/**
 * `shinykit apply` end to end: the built CLI against a real moto_server (SSM
 * Parameter Store and Run Command). moto accepts SendCommand for any instance id
 * and reports every invocation as Success with empty output, so the host's
 * rejection is simulated by a proxy in front of moto (see failingInvocationProxy).
 */
import { GetParametersByPathCommand, ListCommandsCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decodeSet } from '../../cli/apply/config-set.js';
import { runCli } from '../support/cli.js';
import { applyProject, failingInvocationProxy, INSTANCE_ID, PREFIX, setImages } from '../support/apply-fixture.js';
import { startMoto, TEST_REGION, type Moto } from '../support/moto.js';

let moto: Moto;
beforeAll(async () => {
  moto = await startMoto();
});
afterAll(async () => moto?.stop());
beforeEach(async () => moto.reset());

function ssmAt(url: string): SSMClient {
  return new SSMClient({ endpoint: url, region: TEST_REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
}

async function parameters(path: string): Promise<Map<string, string>> {
  const res = await ssmAt(moto.url).send(new GetParametersByPathCommand({ Path: path, Recursive: true, MaxResults: 10 }));
  let values = new Map((res.Parameters ?? []).map((p) => [p.Name!, p.Value!]));
  let token = res.NextToken;
  while (token) {
    const next = await ssmAt(moto.url).send(new GetParametersByPathCommand({ Path: path, Recursive: true, NextToken: token, MaxResults: 10 }));
    values = new Map([...values, ...(next.Parameters ?? []).map((p) => [p.Name!, p.Value!] as [string, string])]);
    token = next.NextToken;
  }
  return values;
}

function cli(project: ReturnType<typeof applyProject>, args: string[], endpoint = moto.url) {
  return runCli(['--config', project.config, '--outputs', project.outputs, 'apply', ...args], {
    cwd: project.dir,
    env: { ...moto.env, AWS_ENDPOINT_URL: endpoint, SHINYKIT_APPLY_POLL_MS: '50' },
  });
}

describe('shinykit apply (built CLI against moto_server)', () => {
  it('--dry-run on a host without config shows the whole files as additions and writes nothing', async () => {
    const project = applyProject();
    const res = await cli(project, ['--dry-run']);
    expect(res.stderr).toContain('would change; nothing was written');
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toContain('--- /dev/null');
    expect(res.stdout).toContain('+++ rendered/nginx/shinyproxy.conf');
    expect(res.stdout).toContain('+++ rendered/shinyproxy/application.yml');
    expect(res.stdout).toMatch(/^\+\s+server_name 203\.0\.113\.10\.sslip\.io;$/m);
    expect((await parameters(PREFIX)).size).toBe(0);
    const commands = await ssmAt(moto.url).send(new ListCommandsCommand({}));
    expect(commands.Commands ?? []).toHaveLength(0);
  });

  it('writes the rendered files to Parameter Store, sends the deliver command to the instance from the outputs, and records the accepted config (moto records the command; the host script itself runs in host-apply tests)', async () => {
    const project = applyProject();
    const res = await cli(project, []);
    expect(res.stderr).not.toMatch(/error:/);
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toContain(`host ${INSTANCE_ID} switched to the new config`);

    const values = await parameters(PREFIX);
    const candidate = decodeSet(PREFIX, 'candidate', values)!;
    const accepted = decodeSet(PREFIX, 'config', values)!;
    expect(Object.keys(candidate).sort()).toEqual(['nginx/shinyproxy.conf', 'shinyproxy/application.yml']);
    expect(accepted).toEqual(candidate);
    expect(candidate['nginx/shinyproxy.conf']).toContain('server_name 203.0.113.10.sslip.io;');
    expect(candidate['shinyproxy/application.yml']).toContain(`analytics/shiny-demo@sha256:${'a'.repeat(64)}`);
    // Every value fits the free Standard tier.
    for (const v of values.values()) expect(Buffer.byteLength(v, 'utf8')).toBeLessThanOrEqual(4096);

    const commands = (await ssmAt(moto.url).send(new ListCommandsCommand({}))).Commands ?? [];
    // First the read-only session count (a new application.yml restarts ShinyProxy), then the delivery.
    expect(commands.map((c) => c.Parameters?.commands?.[0]).sort()).toEqual(['/usr/local/sbin/shinykit-deliver candidate', '/usr/local/sbin/shinykit-status']);
    for (const c of commands) {
      expect(c.DocumentName).toBe('AWS-RunShellScript');
      expect(c.InstanceIds).toEqual([INSTANCE_ID]);
    }

    // Now the host has it: a dry run shows nothing to change.
    const again = await cli(project, ['--dry-run']);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toBe('');
    expect(again.stderr).toContain('the host already has this config');
  });

  it('--dry-run after a new push shows only the changed lines', async () => {
    const project = applyProject();
    expect((await cli(project, [])).exitCode).toBe(0);
    setImages(project.dir, 'b');
    const res = await cli(project, ['--dry-run']);
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toContain('--- host/shinyproxy/application.yml');
    expect(res.stdout).toMatch(new RegExp(`^-.*@sha256:${'a'.repeat(64)}$`, 'm'));
    expect(res.stdout).toMatch(new RegExp(`^\\+.*@sha256:${'b'.repeat(64)}$`, 'm'));
    expect(res.stdout).not.toContain('nginx/shinyproxy.conf');
    expect(res.stderr).toContain('shinyproxy/application.yml would change');
  });

  it('a host that rejects the config: exit 1, the host output tail is shown, and the accepted config in Parameter Store stays as it was', async () => {
    const project = applyProject();
    expect((await cli(project, [])).exitCode).toBe(0);
    const acceptedBefore = decodeSet(PREFIX, 'config', await parameters(PREFIX));

    const hostTail = [
      'shinykit-apply: checking nginx with the new snippet in place',
      'shinykit-apply: REJECTED: nginx -t rejected the new nginx/shinyproxy.conf; the previous config is still live:',
      '    nginx: [emerg] unknown directive "proxy_read_timeout_typo" in /etc/nginx/conf.d/shinyproxy.conf:42',
      'RESULT: rejected: nginx -t rejected the new nginx/shinyproxy.conf; the previous config is still live:',
    ].join('\n');
    const proxy = await failingInvocationProxy(moto.url, { status: 'Failed', responseCode: 1, stdout: hostTail });
    try {
      setImages(project.dir, 'c');
      const res = await cli(project, [], proxy.url);
      expect(res.exitCode).toBe(1);
      expect(res.stderr).toContain(`error: host ${INSTANCE_ID} rejected the new config and kept the previous one`);
      expect(res.stderr).toContain('unknown directive "proxy_read_timeout_typo"');
      expect(res.stderr).toContain('hint:');
    } finally {
      await proxy.close();
    }
    const values = await parameters(PREFIX);
    expect(decodeSet(PREFIX, 'config', values)).toEqual(acceptedBefore);
    expect(decodeSet(PREFIX, 'candidate', values)!['shinyproxy/application.yml']).toContain(`@sha256:${'c'.repeat(64)}`);
  });

  it('open sessions stop a restart without --yes (exit 2, nothing written); --yes goes ahead', async () => {
    const project = applyProject();
    // The host's status report (assets/host/shinykit-status.py's shape) with two sessions open.
    const report = JSON.stringify({
      format: 1, time: '2026-12-02T10:00:00Z', services: {}, certificate: null, config: {}, backend: 'docker', images: [],
      host: { uptimeSeconds: 1, memory: { totalMiB: 1, availableMiB: 1 }, swap: { totalMiB: 0, usedMiB: 0 }, disk: { totalGiB: 1, usedGiB: 0, freeGiB: 1, usedPercent: 0 } },
      sessions: [{ app: 'shiny-demo', user: 'ana@example.org', proxyId: 'p1', created: 'now' }, { app: 'dash-demo', user: 'bob@example.org', proxyId: 'p2', created: 'now' }],
      sessionCount: 2,
    });
    const proxy = await failingInvocationProxy(moto.url, { status: 'Success', responseCode: 0, stdout: report });
    try {
      const refused = await cli(project, [], proxy.url);
      expect(refused.exitCode).toBe(2);
      expect(refused.stderr).toContain('2 sessions are open (ana@example.org, bob@example.org)');
      expect(refused.stderr).toContain('2 sessions are open and would end; nothing was changed');
      expect(refused.stderr).toContain('--yes');
      expect((await parameters(PREFIX)).size).toBe(0);
      const forced = await cli(project, ['--yes'], proxy.url);
      expect(forced.exitCode).toBe(0);
      expect(decodeSet(PREFIX, 'config', await parameters(PREFIX))).toBeDefined();
    } finally {
      await proxy.close();
    }
  });

  it('a host whose rollback also failed says the host needs attention', async () => {
    const project = applyProject();
    const proxy = await failingInvocationProxy(moto.url, {
      status: 'Failed',
      responseCode: 3,
      stdout: 'RESULT: rollback-failed: ShinyProxy does not answer with the previous config either',
    });
    try {
      const res = await cli(project, ['--json'], proxy.url);
      expect(res.exitCode).toBe(1);
      expect(JSON.parse(res.stdout)).toMatchObject({ status: 'rejected' });
      expect(res.stderr).toContain('could not bring the previous one back up');
      expect(res.stderr).toContain('docs/host.md');
    } finally {
      await proxy.close();
    }
  });
});
