/**
 * The host's scripts and files beyond apply/rollback (host-apply.test.ts):
 * shellcheck on every script, the starting nginx config under real `nginx -t`,
 * and the delivery round trip through a real moto_server: `shinykit apply`
 * (built CLI) writes a config set, then shinykit-deliver on a temporary root
 * fetches it with the real AWS CLI v2, rebuilds the files (shinykit-config.py),
 * applies them with real `nginx -t`, and publishes the status parameter.
 * Only systemd, docker pull and ShinyProxy's health are injected (see host-apply.test.ts).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeSet, readSet } from '../../cli/apply/config-set.js';
import { hostAssetsDir } from '../../lib/host-bootstrap.js';
import { runCli } from '../support/cli.js';
import { applyProject, PREFIX } from '../support/apply-fixture.js';
import { startMoto, TEST_REGION, type Moto } from '../support/moto.js';

const HOST = hostAssetsDir();
const AWS_V2 = '/usr/bin/aws'; // Debian's v2 (the pyenv shim on PATH is an old v1)

function selfSignedRoot(): string {
  const dir = mkdtempSync(join(tmpdir(), 'shinykit-host-'));
  for (const d of ['etc/nginx/conf.d', 'etc/shinyproxy', 'run', 'live', 'www', 'certbot']) mkdirSync(join(dir, d), { recursive: true });
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=203.0.113.10.sslip.io',
    '-keyout', join(dir, 'live/privkey.pem'), '-out', join(dir, 'live/fullchain.pem')], { stdio: 'ignore' });
  writeFileSync(join(dir, 'live/chain.pem'), readFileSync(join(dir, 'live/fullchain.pem')));
  writeFileSync(join(dir, 'etc/nginx/nginx.conf'),
    `pid ${dir}/run/nginx.pid;\nerror_log stderr;\nevents {}\nhttp {\n  access_log off;\n  include ${dir}/etc/nginx/conf.d/*.conf;\n}\n`);
  return dir;
}

/** Host paths → the temporary root's, for configs written for the real host. */
function relocate(text: string, dir: string): string {
  return text
    .replaceAll('/etc/shinykit/tls', `${dir}/live`)
    .replaceAll('/var/www/acme', `${dir}/certbot`)
    .replaceAll('/usr/local/share/shinykit/www', `${dir}/www`)
    .replace(/listen 80\b/g, 'listen 127.0.0.1:18080')
    .replace(/listen 443\b/g, 'listen 127.0.0.1:18443');
}

const nginxTest = (dir: string) => `nginx -t -q -p ${dir}/ -c ${dir}/etc/nginx/nginx.conf`;

describe('host scripts', () => {
  it('every shell script in assets/host passes shellcheck', () => {
    const scripts = readdirSync(HOST).filter((f) => f.endsWith('.sh')).map((f) => join(HOST, f));
    expect(scripts.length).toBeGreaterThanOrEqual(6);
    const res = spawnSync('shellcheck', ['-x', ...scripts], { encoding: 'utf8' });
    expect(res.stdout + res.stderr).toBe('');
    expect(res.status).toBe(0);
  });

  it('the python helper compiles for the host\'s python3', () => {
    const res = spawnSync('python3', ['-m', 'py_compile', join(HOST, 'shinykit-config.py')], { encoding: 'utf8' });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
  });

  it('the starting nginx config (before the first apply) passes real nginx -t', () => {
    const dir = selfSignedRoot();
    const starting = readFileSync(join(HOST, 'nginx/starting.conf'), 'utf8').replaceAll('@SITE_HOSTNAME@', '203.0.113.10.sslip.io');
    writeFileSync(join(dir, 'etc/nginx/conf.d/shinyproxy.conf'), relocate(starting, dir));
    const res = spawnSync('bash', ['-c', nginxTest(dir)], { encoding: 'utf8' });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
  });

  it('the initial application.yml is a ShinyProxy config the apply check accepts, with no apps and no images', () => {
    const file = join(HOST, 'shinyproxy/application-initial.yml');
    expect(spawnSync('python3', [join(HOST, 'shinykit-config.py'), 'check-yaml', file]).status).toBe(0);
    expect(spawnSync('python3', [join(HOST, 'shinykit-config.py'), 'images', file], { encoding: 'utf8' }).stdout).toBe('');
    expect(readFileSync(file, 'utf8')).toContain('bind-address: 127.0.0.1');
  });

  it('the host-side assembler rebuilds exactly what the CLI encoded, across 4 KB parts and multi-byte characters', () => {
    const big = `# ${'é'.repeat(3000)}\nproxy:\n  specs: []\n`;
    const params = encodeSet(PREFIX, 'candidate', { 'nginx/shinyproxy.conf': 'server {}\n', 'shinyproxy/application.yml': big });
    const listing = JSON.stringify({ Parameters: params.map(([Name, Value]) => ({ Name, Value })) });
    const out = mkdtempSync(join(tmpdir(), 'shinykit-asm-'));
    const res = spawnSync('python3', [join(HOST, 'shinykit-config.py'), 'assemble', `${PREFIX}candidate/`, out], { input: listing, encoding: 'utf8' });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(params.filter(([n]) => n.includes('application.yml/')).length).toBe(2);
    expect(readFileSync(join(out, 'shinyproxy/application.yml'), 'utf8')).toBe(big);
    expect(readFileSync(join(out, 'nginx/shinyproxy.conf'), 'utf8')).toBe('server {}\n');

    // A part that does not match the manifest (a delivery half-written) is refused.
    const tampered = JSON.stringify({ Parameters: params.map(([Name, Value]) => ({ Name, Value: Name.endsWith('/0') ? `${Value}x` : Value })) });
    const bad = spawnSync('python3', [join(HOST, 'shinykit-config.py'), 'assemble', `${PREFIX}candidate/`, out], { input: tampered, encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('does not match its manifest checksum');
  });
});

describe('delivery round trip: shinykit apply → Parameter Store (moto) → shinykit-deliver on a temporary root', () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => moto?.stop());

  function deliver(dir: string, set: string) {
    const envFile = join(dir, 'host.env');
    writeFileSync(envFile, `SHINYKIT_PREFIX='${PREFIX}'\nSHINYKIT_REGION='${TEST_REGION}'\n`);
    const calls = join(dir, 'calls');
    return spawnSync('bash', [join(HOST, 'shinykit-deliver.sh'), set], {
      encoding: 'utf8',
      env: {
        ...process.env,
        ...moto.env,
        SHINYKIT_ENV_FILE: envFile,
        SHINYKIT_AWS: `${AWS_V2} --endpoint-url ${moto.url} --region ${TEST_REGION}`,
        SHINYKIT_ROOT: dir,
        SHINYKIT_LOG_FILE: join(dir, 'apply.log'),
        SHINYKIT_APPLY_SCRIPT: join(HOST, 'shinykit-apply.sh'),
        SHINYKIT_CONFIG_HELPER: join(HOST, 'shinykit-config.py'),
        SHINYKIT_NGINX_TEST: nginxTest(dir),
        SHINYKIT_RELOAD_NGINX: `echo reload-nginx >> ${calls}`,
        SHINYKIT_RESTART_SHINYPROXY: `echo restart-shinyproxy >> ${calls}`,
        SHINYKIT_HEALTHCHECK: 'true',
        SHINYKIT_PULL: `echo pull >> ${calls}; echo >> ${calls}`,
      },
    });
  }

  it('a config set written by the CLI is fetched, checked with nginx -t, installed, and its status published', async () => {
    await moto.reset();
    const project = applyProject();
    const sent = await runCli(['--config', project.config, '--outputs', project.outputs, 'apply'], {
      cwd: project.dir,
      env: { ...moto.env, SHINYKIT_APPLY_POLL_MS: '50' },
    });
    expect(sent.exitCode).toBe(0);

    // Point the rendered snippet at the temporary root's certificate and ports (the paths are the real host's).
    const dir = selfSignedRoot();
    const ssm = new SSMClient({ endpoint: moto.url, region: TEST_REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    const res0 = deliver(dir, 'candidate');
    // Unmodified, the rendered snippet names /etc/letsencrypt/... which does not exist here: nginx -t must say so.
    expect(res0.status).toBe(1);
    expect(res0.stdout).toContain('RESULT: rejected: nginx -t rejected the new nginx/shinyproxy.conf');
    expect(res0.stdout).toMatch(/fullchain\.pem/);
    const rejected = JSON.parse((await ssm.send(new GetParameterCommand({ Name: `${PREFIX}status/last-apply` }))).Parameter!.Value!);
    expect(rejected.result).toBe('rejected');

    // Relocated (as the real host would have the files), the same set applies.
    const files: Record<string, string> = {};
    const current = (await readSet(ssm, PREFIX, 'candidate'))!;
    for (const [k, v] of Object.entries(current)) files[k] = k.startsWith('nginx/') ? relocate(v, dir) : v;
    for (const [Name, Value] of encodeSet(PREFIX, 'candidate', files)) {
      await ssm.send(new PutParameterCommand({ Name, Value, Type: 'String', Overwrite: true }));
    }
    writeFileSync(join(dir, 'calls'), '');
    const res = deliver(dir, 'candidate');
    expect(res.stdout).toContain('RESULT: applied');
    expect(res.status).toBe(0);
    expect(readFileSync(join(dir, 'etc/shinyproxy/application.yml'), 'utf8')).toBe(files['shinyproxy/application.yml']);
    expect(readFileSync(join(dir, 'etc/nginx/conf.d/shinyproxy.conf'), 'utf8')).toBe(files['nginx/shinyproxy.conf']);
    // Both app images were pulled before the switch.
    expect(readFileSync(join(dir, 'calls'), 'utf8').match(/^pull$/gm)).toHaveLength(2);
    const status = JSON.parse((await ssm.send(new GetParameterCommand({ Name: `${PREFIX}status/last-apply` }))).Parameter!.Value!);
    expect(status.result).toBe('applied');
    expect(readFileSync(join(dir, 'apply.log'), 'utf8')).toContain('RESULT: applied');
    // Two deliveries, each several AWS CLI v2 calls (a second or more each on a shared machine).
  }, 300_000);

  it('re-applying the accepted set at boot before anything was delivered keeps the current config (exit 0)', async () => {
    await moto.reset();
    const dir = selfSignedRoot();
    const res = deliver(dir, 'config');
    expect(res.stdout).toContain('no config has been applied to this deployment yet');
    expect(res.status).toBe(0);
  });
});
