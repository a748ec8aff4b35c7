/**
 * apps[].secrets on the host: shinykit-apply.sh, run for real against a temporary root, reads
 * each referenced SecureString / Secrets Manager secret from a real moto_server with the real
 * AWS CLI v2 and writes one env file per app. The file is then read by the real
 * java.util.Properties — what ShinyProxy (containerproxy's buildEnv) does with a
 * container-env-file — so the escaping is proven against the reader that matters.
 * Injected (they cannot run here): systemd restarts, docker pull, ShinyProxy's health and
 * `nginx -t` (the nginx side is host-apply.test.ts's subject).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { encodeSet } from '../../cli/apply/config-set.js';
import { startMoto, TEST_REGION, type Moto } from '../support/moto.js';

const SCRIPT = new URL('../../assets/host/shinykit-apply.sh', import.meta.url).pathname;
const DELIVER = new URL('../../assets/host/shinykit-deliver.sh', import.meta.url).pathname;
const AWS_V2 = '/usr/bin/aws'; // Debian's v2 (the pyenv shim on PATH is an old v1)
const PARAM = '/shinykit-secrets/analytics/shiny-demo/DB_PASSWORD';
// Everything the Properties format gives a meaning to: a leading space, "=", ":", "#", "\", a line
// break, non-Latin-1 text and a character outside the BMP.
const TRICKY = ' p=a:s#s\\word\nline2 é€ 😀';
const API_KEY = 'sk-live-0123456789abcdef';
// As root (the host's apply runs as root), chown to a real other user; otherwise to ourselves.
const OWNER = process.getuid?.() === 0 ? { spec: 'nobody:nogroup', uid: 65534 } : { spec: `${userInfo().username}:`, uid: userInfo().uid };

const JAVA_READER = `
import java.io.*; import java.util.*;
public class ReadEnvFile {
  public static void main(String[] a) throws Exception {
    Properties p = new Properties();
    try (InputStream in = new FileInputStream(a[0])) { p.load(in); } // as containerproxy's buildEnv does
    for (String k : new TreeSet<>(p.stringPropertyNames()))
      System.out.println(k + " " + Base64.getEncoder().encodeToString(p.getProperty(k).getBytes("UTF-8")));
  }
}`;

/** The env file as ShinyProxy's Java reads it: name → value. */
let javaClasses: string | undefined;
function readWithJava(file: string): Record<string, string> {
  if (javaClasses === undefined) {
    // Compiled once with javac: the single-file launcher would compile it again on every read.
    const dir = mkdtempSync(join(tmpdir(), 'shinykit-java-'));
    writeFileSync(join(dir, 'ReadEnvFile.java'), JAVA_READER);
    execFileSync('javac', ['-d', dir, join(dir, 'ReadEnvFile.java')]);
    javaClasses = dir;
  }
  const out = execFileSync('java', ['-cp', javaClasses, 'ReadEnvFile', file], { encoding: 'utf8' });
  return Object.fromEntries(out.trim().split('\n').filter(Boolean).map((l) => {
    const [k, v] = l.split(' ');
    return [k!, Buffer.from(v!, 'base64').toString('utf8')];
  }));
}

function applicationYml(title: string, secrets: Record<string, Record<string, string>> | undefined): string {
  const lines = ['proxy:', `  title: ${title}`, '  specs:'];
  for (const id of ['shiny-demo', 'dash-demo']) {
    lines.push(`    - id: ${id}`, `      container-image: registry.example/analytics/${id}@sha256:${'a'.repeat(64)}`);
    if (secrets?.[id]) lines.push(`      container-env-file: /run/shinykit-app-env/${id}.env`);
  }
  if (secrets) {
    lines.push('shinykit:', '  app-secrets:');
    for (const [id, refs] of Object.entries(secrets)) {
      lines.push(`    ${id}:`, ...Object.entries(refs).map(([k, v]) => `      ${k}: ${JSON.stringify(v)}`));
    }
  }
  return `${lines.join('\n')}\n`;
}

let moto: Moto;
let ssm: SSMClient;
let sm: SecretsManagerClient;
let secretArn: string;
const creds = { accessKeyId: 'testing', secretAccessKey: 'testing' };

beforeAll(async () => {
  moto = await startMoto();
  ssm = new SSMClient({ endpoint: moto.url, region: TEST_REGION, credentials: creds });
  sm = new SecretsManagerClient({ endpoint: moto.url, region: TEST_REGION, credentials: creds });
}, 90_000);
afterAll(async () => moto?.stop());
beforeEach(async () => {
  await moto.reset();
  await ssm.send(new PutParameterCommand({ Name: PARAM, Type: 'SecureString', Value: TRICKY }));
  secretArn = (await sm.send(new CreateSecretCommand({ Name: 'prod/api-key', SecretString: API_KEY }))).ARN!;
});

function makeRoot(): string {
  const dir = mkdtempSync(join(tmpdir(), 'shinykit-host-'));
  for (const d of ['etc/nginx/conf.d', 'etc/shinyproxy', 'run']) mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, 'etc/nginx/conf.d/shinyproxy.conf'), '# live\n');
  writeFileSync(join(dir, 'etc/shinyproxy/application.yml'), applicationYml('old', undefined));
  writeFileSync(join(dir, 'calls'), '');
  return dir;
}

function hostEnv(root: string, owner = OWNER.spec): Record<string, string> {
  const calls = join(root, 'calls');
  return {
    ...moto.env,
    SHINYKIT_ROOT: root,
    SHINYKIT_AWS: `${AWS_V2} --endpoint-url ${moto.url} --region ${TEST_REGION}`,
    SHINYKIT_APP_ENV_OWNER: owner,
    SHINYKIT_NGINX_TEST: 'true',
    SHINYKIT_RELOAD_NGINX: `echo reload-nginx >> ${calls}`,
    SHINYKIT_RESTART_SHINYPROXY: `echo restart-shinyproxy >> ${calls}`,
    SHINYKIT_HEALTHCHECK: `! grep -q unhealthy ${root}/etc/shinyproxy/application.yml`,
    SHINYKIT_PULL: 'true',
    SHINYKIT_DOCKER: 'false',
  };
}

function apply(root: string, app: string, owner = OWNER.spec) {
  const newDir = mkdtempSync(join(tmpdir(), 'shinykit-new-'));
  writeFileSync(join(newDir, 'shinyproxy.conf'), '# live\n');
  writeFileSync(join(newDir, 'application.yml'), app);
  const calls = join(root, 'calls');
  const res = spawnSync('bash', [SCRIPT, '--nginx', join(newDir, 'shinyproxy.conf'), '--application', join(newDir, 'application.yml')], {
    encoding: 'utf8',
    env: { ...process.env, ...hostEnv(root, owner) },
  });
  const status = existsSync(join(root, 'var/lib/shinykit/last-apply.json')) ? readFileSync(join(root, 'var/lib/shinykit/last-apply.json'), 'utf8') : '';
  return { code: res.status, out: `${res.stdout}${res.stderr}`, status, calls: readFileSync(calls, 'utf8') };
}

const envFile = (root: string, app: string) => join(root, 'run/shinykit-app-env', `${app}.env`);
const refs = () => ({ 'shiny-demo': { DB_PASSWORD: `ssm:${PARAM}`, API_KEY: secretArn } });
/** True when any line of the value (or the value itself) shows up in the text. */
const leaks = (text: string) => [TRICKY, ...TRICKY.split('\n').map((l) => l.trim()), API_KEY].some((v) => v.length > 3 && text.includes(v));

// Each apply starts the AWS CLI once per secret (seconds each on a loaded machine): a roomier timeout.
describe('shinykit-apply: apps[].secrets resolved into each app\'s env file', { timeout: 300_000 }, () => {
  it('writes the values to a 0600 file of the ShinyProxy user, in a 0750 directory, exactly as Java reads them back; no value in the output or status', () => {
    const root = makeRoot();
    const res = apply(root, applicationYml('new', refs()));
    expect(res.out).toContain('RESULT: applied');
    expect(res.code).toBe(0);
    const file = envFile(root, 'shiny-demo');
    const st = statSync(file);
    expect(st.mode & 0o777).toBe(0o600);
    expect(st.uid).toBe(OWNER.uid);
    expect(statSync(join(root, 'run/shinykit-app-env')).mode & 0o777).toBe(0o750);
    expect(readWithJava(file)).toEqual({ API_KEY, DB_PASSWORD: TRICKY });
    // An app without secrets gets no file; nothing is left staged or backed up.
    expect(existsSync(envFile(root, 'dash-demo'))).toBe(false);
    expect(existsSync(join(root, 'run/shinykit-app-env/.new'))).toBe(false);
    expect(existsSync(join(root, 'run/shinykit-app-env/.previous'))).toBe(false);
    expect(res.out).toContain('app secrets: 2 value(s) read');
    expect(leaks(res.out)).toBe(false);
    expect(leaks(res.status)).toBe(false);
  });

  it('refreshes the values on every apply, even when application.yml is unchanged (no ShinyProxy restart: it rereads the file per container)', async () => {
    const root = makeRoot();
    const app = applicationYml('new', refs());
    expect(apply(root, app).code).toBe(0);
    await ssm.send(new PutParameterCommand({ Name: PARAM, Type: 'SecureString', Value: 'rotated-value', Overwrite: true }));
    const again = apply(root, app);
    expect(again.out).toContain('RESULT: unchanged');
    expect(again.calls.match(/restart-shinyproxy/g)).toHaveLength(1); // the first apply's only
    expect(readWithJava(envFile(root, 'shiny-demo')).DB_PASSWORD).toBe('rotated-value');
  });

  it('a reference that cannot be read rejects the apply before anything changes, naming the app, the name and the reference', () => {
    const root = makeRoot();
    expect(apply(root, applicationYml('new', refs())).code).toBe(0);
    const before = readFileSync(envFile(root, 'shiny-demo'), 'utf8');
    const res = apply(root, applicationYml('newer', { 'shiny-demo': { ...refs()['shiny-demo'], MISSING: 'ssm:/shinykit-secrets/analytics/shiny-demo/MISSING' } }));
    expect(res.code).toBe(1);
    expect(res.out).toContain('RESULT: rejected: the apps\' secrets could not be read (nothing was changed)');
    expect(res.out).toContain('could not read MISSING of app shiny-demo (ssm:/shinykit-secrets/analytics/shiny-demo/MISSING)');
    expect(res.out).toContain('ParameterNotFound');
    expect(readFileSync(join(root, 'etc/shinyproxy/application.yml'), 'utf8')).toContain('title: new');
    expect(readFileSync(envFile(root, 'shiny-demo'), 'utf8')).toBe(before);
    expect(leaks(res.out) || leaks(res.status)).toBe(false);
  });

  it('a rollback (ShinyProxy unhealthy with the new config) puts the previous env files back too', async () => {
    const root = makeRoot();
    expect(apply(root, applicationYml('new', refs())).code).toBe(0);
    const before = readFileSync(envFile(root, 'shiny-demo'), 'utf8');
    await ssm.send(new PutParameterCommand({ Name: PARAM, Type: 'SecureString', Value: 'value-of-a-config-that-fails', Overwrite: true }));
    const res = apply(root, applicationYml('unhealthy', { ...refs(), 'dash-demo': { API_KEY: secretArn } }));
    expect(res.code).toBe(1);
    expect(res.out).toContain('did not answer');
    expect(readFileSync(envFile(root, 'shiny-demo'), 'utf8')).toBe(before);
    expect(existsSync(envFile(root, 'dash-demo'))).toBe(false);
  });

  it('an app whose secrets are removed from the config loses its env file', () => {
    const root = makeRoot();
    expect(apply(root, applicationYml('new', refs())).code).toBe(0);
    const res = apply(root, applicationYml('newer', undefined));
    expect(res.code).toBe(0);
    expect(existsSync(envFile(root, 'shiny-demo'))).toBe(false);
  });

  it('a file it cannot give to ShinyProxy\'s user (no such user) rejects the apply: no env file ShinyProxy could not read', () => {
    const root = makeRoot();
    const res = apply(root, applicationYml('new', refs()), 'no-such-user:nogroup');
    expect(res.code).toBe(1);
    expect(res.out).toContain('RESULT: rejected: the apps\' secrets could not be read (nothing was changed): cannot give shiny-demo.env to no-such-user:nogroup');
    expect(existsSync(envFile(root, 'shiny-demo'))).toBe(false);
    expect(readFileSync(join(root, 'etc/shinyproxy/application.yml'), 'utf8')).toContain('title: old');
    expect(leaks(res.out) || leaks(res.status)).toBe(false);
  });

  it('after a reboot that keeps a newer live config (no re-apply), the boot delivery still reads the secrets again into /run', async () => {
    const root = makeRoot();
    const live = applicationYml('live', refs());
    expect(apply(root, live).code).toBe(0);
    // A reboot empties /run; Parameter Store's config/ copy is older than what this host runs.
    execFileSync('rm', ['-rf', join(root, 'run/shinykit-app-env')]);
    writeFileSync(join(root, 'var/lib/shinykit/applied.json'), JSON.stringify({ result: 'applied', config: { id: 'live', createdAt: '2026-12-02T12:00:00Z' } }));
    const prefix = '/shinykit/analytics/';
    for (const [Name, Value] of encodeSet(prefix, 'config', { 'nginx/shinyproxy.conf': '# older\n', 'shinyproxy/application.yml': applicationYml('older', undefined) }, { createdAt: '2026-12-01T12:00:00Z', createdBy: 'arn:aws:iam::123456789012:user/ana' })) {
      await ssm.send(new PutParameterCommand({ Name, Value, Type: 'String' }));
    }
    const envFile2 = join(root, 'host.env');
    writeFileSync(envFile2, `SHINYKIT_PREFIX=${prefix}\nSHINYKIT_REGION=${TEST_REGION}\n`);
    const res = spawnSync('bash', [DELIVER, 'config'], {
      encoding: 'utf8',
      env: { ...process.env, ...hostEnv(root), SHINYKIT_ENV_FILE: envFile2, SHINYKIT_APPLY_SCRIPT: SCRIPT, SHINYKIT_LOG_FILE: '', SHINYKIT_CONFIG_HELPER: new URL('../../assets/host/shinykit-config.py', import.meta.url).pathname },
    });
    const out = `${res.stdout}${res.stderr}`;
    expect(out).toContain('already runs a newer config');
    expect(res.status).toBe(0);
    expect(readFileSync(join(root, 'etc/shinyproxy/application.yml'), 'utf8')).toBe(live);
    expect(readWithJava(envFile(root, 'shiny-demo'))).toEqual({ API_KEY, DB_PASSWORD: TRICKY });
    expect(leaks(out)).toBe(false);
  });
});
