/**
 * The host's real TLS script (assets/host/shinykit-tls.sh) against a real ACME server on
 * loopback: pebble, validating HTTP-01 through the *rendered* nginx snippet in real nginx,
 * with lego 4.35.2 (the version the host pins) as the client and moto_server standing in for
 * Parameter Store (the certificate store and the status). Only paths, ports and the CA URL
 * differ from the host, all through the script's documented SHINYKIT_* overrides.
 * Mocked: the EC2 metadata service (SHINYKIT_PUBLIC_IP gives the "public" address) — it does
 * not exist off EC2.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkServerIdentity, connect, type PeerCertificate } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderConfigs } from '../../lib/render/index.js';
import { startMoto, type Moto } from '../support/moto.js';
import { prepareNginx, removePrefix, startNginx, type LocalNginxPorts, type NginxPrefix, type RunningNginx } from '../support/nginx.js';
import { freePort } from '../support/ports.js';
import { PEBBLE_PROFILES, acmeTools, startPebble, type Pebble, type PebbleProfile } from '../support/pebble.js';
import { fixtureConfig, fixtureImages, fixtureOutputs } from '../support/render-fixtures.js';

const SCRIPT = join(__dirname, '../../assets/host/shinykit-tls.sh');
const PUBLISH = join(__dirname, '../../assets/host/shinykit-publish-status.sh');
const PREFIX = '/shinykit/analytics/';
const STORE = '/shinykit/analytics/tls/acme';

interface Served {
  readonly authorized: boolean;
  readonly error?: string;
  readonly cert: PeerCertificate;
  readonly hsts?: string;
}

/** One HTTPS GET to nginx, verifying against `ca` for `site` (an IP is checked against IP SANs; no SNI for IPs). */
function fetchServed(port: number, site: string, ca: string): Promise<Served> {
  return new Promise((resolve, reject) => {
    const isIp = /^[0-9.]+$/.test(site);
    let cert: PeerCertificate | undefined;
    let authorized = false;
    let error: string | undefined;
    const req = request(
      {
        host: '127.0.0.1',
        port,
        // A fresh connection each time: a kept-alive one would not show the certificate again.
        agent: false,
        path: '/',
        ca,
        servername: isIp ? '' : site,
        headers: { Host: site },
        rejectUnauthorized: false,
        checkServerIdentity: (_host, c) => checkServerIdentity(site, c),
      },
      (res) => {
        res.resume();
        const hsts = res.headers['strict-transport-security'];
        resolve({ authorized, error, cert: cert!, hsts: Array.isArray(hsts) ? hsts[0] : hsts });
      },
    );
    req.on('socket', (s) => {
      s.once('secureConnect', () => {
        const tlsSocket = s as ReturnType<typeof connect>;
        cert = tlsSocket.getPeerCertificate();
        authorized = tlsSocket.authorized;
        error = tlsSocket.authorizationError ? String(tlsSocket.authorizationError) : undefined;
        if (authorized) {
          const identity = checkServerIdentity(site, cert);
          if (identity) {
            authorized = false;
            error = identity.message;
          }
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** A host as the TLS script sees it: host.env, state dir, a lego that logs its argv, moto for the store. */
class TlsHost {
  readonly root = mkdtempSync(join(tmpdir(), 'shinykit-tls-host-'));
  readonly calls = join(this.root, 'lego-calls.log');
  constructor(
    readonly site: string,
    readonly nginx: NginxPrefix,
    readonly pebble: Pebble,
    readonly moto: Moto,
    readonly profile: string,
    readonly reload: () => void,
  ) {
    const env = [`SHINYKIT_SITE_HOSTNAME='${site}'`, `SHINYKIT_PREFIX='${PREFIX}'`, `SHINYKIT_TLS_PROFILE='${profile}'`,
      "SHINYKIT_TLS_EMAIL='ops@example.org'", "SHINYKIT_REGION='eu-west-1'"];
    writeFileSync(join(this.root, 'host.env'), `${env.join('\n')}\n`);
    // The real lego, with each argv recorded so a test can tell whether (and how) the CA was asked.
    const wrapper = join(this.root, 'lego');
    writeFileSync(wrapper, `#!/bin/bash\nprintf '%s\\n' "$*" >>'${this.calls}'\nexec '${acmeTools().lego}' "$@"\n`);
    chmodSync(wrapper, 0o755);
    writeFileSync(join(this.root, 'resolve'), '#!/bin/bash\necho "127.0.0.1 STREAM $1"\n');
    chmodSync(join(this.root, 'resolve'), 0o755);
  }

  get stateDir(): string {
    return join(this.root, 'state');
  }

  legoCalls(): string[] {
    return existsSync(this.calls) ? readFileSync(this.calls, 'utf8').trim().split('\n').filter(Boolean) : [];
  }

  run(args: string[], extra: Record<string, string> = {}): { status: number | null; output: string; report: Record<string, unknown> } {
    const aws = `aws --endpoint-url ${this.moto.url}`;
    const res = spawnSync('bash', [SCRIPT, ...args], {
      encoding: 'utf8',
      env: {
        ...process.env,
        ...this.moto.env,
        SHINYKIT_ENV_FILE: join(this.root, 'host.env'),
        SHINYKIT_STATE_DIR: this.stateDir,
        SHINYKIT_TLS_DIR: this.nginx.certDir,
        SHINYKIT_ACME_WEBROOT: this.nginx.webroot,
        SHINYKIT_ACME_SERVER: this.pebble.directoryUrl,
        SHINYKIT_ACME_CA_BUNDLE: this.pebble.serverCaFile,
        SHINYKIT_TLS_TRUST_BUNDLE: this.pebble.rootFile,
        SHINYKIT_LEGO: join(this.root, 'lego'),
        SHINYKIT_RELOAD_NGINX: `nginx -p ${this.nginx.prefix} -c ${this.nginx.conf} -e ${this.nginx.errorLog} -s reload && sleep 1`,
        SHINYKIT_AWS: aws,
        SHINYKIT_PUBLISH_STATUS: `bash ${PUBLISH}`,
        SHINYKIT_PUBLIC_IP: '127.0.0.1',
        // Test names are known only to pebble-challtestsrv's DNS; the system resolver would not find them.
        SHINYKIT_RESOLVER: join(this.root, 'resolve'),
        ...extra,
      },
    });
    const statusFile = join(this.stateDir, 'tls.json');
    const report = existsSync(statusFile) ? (JSON.parse(readFileSync(statusFile, 'utf8')) as Record<string, unknown>) : {};
    return { status: res.status, output: `${res.stdout}${res.stderr}`, report };
  }

  /** A replacement host: same nginx paths, but nothing left on disk from the old one. */
  wipeDisk(): void {
    rmSync(this.stateDir, { recursive: true, force: true });
    for (const f of ['fullchain.pem', 'privkey.pem', 'hsts.conf']) rmSync(join(this.nginx.certDir, f), { force: true });
    rmSync(this.calls, { force: true });
  }

  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

function ssm(moto: Moto, args: string[]): string {
  const res = spawnSync('aws', ['--endpoint-url', moto.url, 'ssm', ...args], { encoding: 'utf8', env: { ...process.env, ...moto.env } });
  if (res.status !== 0) throw new Error(`aws ssm ${args[0]} failed: ${res.stderr}`);
  return res.stdout;
}

function lifetimeSeconds(cert: PeerCertificate): number {
  return (new Date(cert.valid_to).getTime() - new Date(cert.valid_from).getTime()) / 1000;
}

/** Starts moto, pebble (validating on nginx's http port) and nginx with the snippet rendered for `site`. */
async function stack(site: string, profile: string, pebbleProfiles: readonly PebbleProfile[]) {
  const moto = await startMoto();
  const ports: LocalNginxPorts = { http: await freePort(), https: await freePort(), backend: await freePort() };
  const pebble = await startPebble(ports.http, pebbleProfiles);
  const cfg = fixtureConfig();
  const { nginx: snippet } = renderConfigs({ config: cfg, outputs: fixtureOutputs(cfg, site), images: fixtureImages(cfg), source: 'test' });
  const prefix = prepareNginx(snippet, site, ports);
  let nginx: RunningNginx | undefined;
  const host = new TlsHost(site, prefix, pebble, moto, profile, () => undefined);
  return {
    moto,
    pebble,
    prefix,
    ports,
    host,
    async startNginx() {
      nginx = await startNginx(prefix, ports);
    },
    async stopNginx() {
      await nginx?.stop();
      nginx = undefined;
    },
    async stop() {
      await nginx?.stop();
      await pebble.stop();
      await moto.stop();
      removePrefix(prefix);
      host.cleanup();
    },
  };
}

// Each step runs the script, which calls the aws CLI and openssl several times: slow on a busy machine.
const SLOW = { timeout: 300_000 };

describe('no domain: a shortlived certificate for the Elastic IP (127.0.0.1 here) from pebble', SLOW, () => {
  let s: Awaited<ReturnType<typeof stack>>;
  beforeAll(async () => {
    s = await stack('127.0.0.1', 'shortlived', ['shortlived', 'tiny']);
  });
  afterAll(async () => s?.stop());

  it('boot with an empty store: a self-signed placeholder, no HSTS, and the CA is not asked', async () => {
    const boot = s.host.run(['--boot']);
    expect(boot.status, boot.output).toBe(0);
    expect(boot.report.mode).toBe('placeholder');
    expect(s.host.legoCalls()).toEqual([]);
    expect(readFileSync(join(s.prefix.certDir, 'hsts.conf'), 'utf8')).not.toContain('Strict-Transport-Security');
    await s.startNginx();
    const served = await fetchServed(s.ports.https, '127.0.0.1', s.pebble.rootPem);
    expect(served.authorized).toBe(false);
    expect(served.cert.subject.O).toBe('shinykit placeholder');
    expect(served.hsts).toBeUndefined();
  });

  it('the timer run obtains a certificate for 127.0.0.1 under the shortlived profile, through the rendered nginx; a client trusting pebble verifies it', async () => {
    const run = s.host.run([]);
    expect(run.status, run.output).toBe(0);
    expect(run.report.mode, run.output).toBe('trusted');
    const calls = s.host.legoCalls();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatch(/--domains 127\.0\.0\.1 .*run --profile shortlived$/);
    const served = await fetchServed(s.ports.https, '127.0.0.1', s.pebble.rootPem);
    expect(served.error).toBeUndefined();
    expect(served.authorized).toBe(true);
    expect(served.cert.subjectaltname).toBe('IP Address:127.0.0.1');
    // pebble's shortlived profile here is Let's Encrypt's 160 hours; its default would be 90 days.
    expect(lifetimeSeconds(served.cert)).toBeCloseTo(PEBBLE_PROFILES.shortlived, -2);
    // A trusted certificate that is new: HSTS with a short max-age only.
    expect(served.hsts).toBe('max-age=300');
    expect(run.report).toMatchObject({ profile: 'shortlived', names: 'IPAddress:127.0.0.1', hsts: 'short', failures: 0 });
  });

  it('the ACME state is stored as an advanced-tier SecureString and the status is published for doctor', () => {
    const param = JSON.parse(ssm(s.moto, ['get-parameter', '--name', STORE, '--output', 'json'])) as { Parameter: { Type: string; Value: string } };
    expect(param.Parameter.Type).toBe('SecureString');
    const described = JSON.parse(
      ssm(s.moto, ['describe-parameters', '--parameter-filters', `Key=Name,Values=${STORE}`, '--output', 'json']),
    ) as { Parameters: Array<{ Tier: string }> };
    expect(described.Parameters[0]?.Tier).toBe('Advanced');
    const status = JSON.parse(ssm(s.moto, ['get-parameter', '--name', `${PREFIX}status/tls`, '--output', 'json'])) as { Parameter: { Value: string } };
    expect(JSON.parse(status.Parameter.Value)).toMatchObject({ mode: 'trusted', site: '127.0.0.1' });
  });

  it('a replacement host restores the stored certificate at boot and serves it without asking the CA', async () => {
    const before = await fetchServed(s.ports.https, '127.0.0.1', s.pebble.rootPem);
    s.host.wipeDisk();
    // The CA is unreachable for this boot: the stored certificate must be enough.
    const boot = s.host.run(['--boot'], { SHINYKIT_ACME_SERVER: 'https://127.0.0.1:9/dir' });
    expect(boot.status, boot.output).toBe(0);
    expect(boot.output).toContain('restored the ACME account and certificates');
    expect(boot.report.mode).toBe('trusted');
    expect(s.host.legoCalls()).toEqual([]);
    await s.stopNginx();
    await s.startNginx();
    const after = await fetchServed(s.ports.https, '127.0.0.1', s.pebble.rootPem);
    expect(after.authorized).toBe(true);
    expect(after.cert.serialNumber).toBe(before.cert.serialNumber);
  });

  it('a timer run while the certificate is good asks the CA only for renewal information and keeps the certificate', async () => {
    const before = await fetchServed(s.ports.https, '127.0.0.1', s.pebble.rootPem);
    const run = s.host.run([]);
    expect(run.status, run.output).toBe(0);
    expect(s.host.legoCalls()).toEqual([expect.stringMatching(/ renew --profile shortlived --dynamic --no-random-sleep$/)]);
    expect(run.report.detail).toMatch(/renewal not due/);
    // Within the ARI interval nothing goes to the CA at all.
    const again = s.host.run([]);
    expect(again.report.detail).toMatch(/renewal not due/);
    expect(s.host.legoCalls()).toHaveLength(1);
    const after = await fetchServed(s.ports.https, '127.0.0.1', s.pebble.rootPem);
    expect(after.cert.serialNumber).toBe(before.cert.serialNumber);
  });

  it('HSTS switches to the long max-age once a trusted certificate has been in place for the settle period', async () => {
    const run = s.host.run([], { SHINYKIT_HSTS_SETTLE_SECONDS: '0' });
    expect(run.status, run.output).toBe(0);
    expect(run.report.hsts).toBe('long');
    const served = await fetchServed(s.ports.https, '127.0.0.1', s.pebble.rootPem);
    expect(served.hsts).toBe('max-age=63072000');
  });

  it('renews a certificate once half its short lifetime has passed, and nginx serves the new one', async () => {
    // A fresh host on the `tiny` profile (1 minute) so renewal falls due during the test.
    s.host.wipeDisk();
    ssm(s.moto, ['delete-parameter', '--name', STORE]);
    writeFileSync(join(s.host.root, 'host.env'), readFileSync(join(s.host.root, 'host.env'), 'utf8').replace("SHINYKIT_TLS_PROFILE='shortlived'", "SHINYKIT_TLS_PROFILE='tiny'"));
    s.host.run(['--boot']);
    const first = s.host.run([]);
    expect(first.report.mode, first.output).toBe('trusted');
    const before = await fetchServed(s.ports.https, '127.0.0.1', s.pebble.rootPem);
    expect(lifetimeSeconds(before.cert)).toBeCloseTo(PEBBLE_PROFILES.tiny, -1);
    // Renewal is due with half of a short lifetime left (lego's --dynamic rule, mirrored by the script).
    const due = new Date(before.cert.valid_from).getTime() + (PEBBLE_PROFILES.tiny / 2 + 2) * 1000;
    await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
    const renew = s.host.run([], { SHINYKIT_ARI_INTERVAL_SECONDS: '0' });
    expect(renew.status, renew.output).toBe(0);
    expect(renew.report.detail, renew.output).toMatch(/certificate renewed/);
    expect(s.host.legoCalls().at(-1)).toMatch(/ renew --profile tiny --dynamic --no-random-sleep$/);
    const after = await fetchServed(s.ports.https, '127.0.0.1', s.pebble.rootPem);
    expect(after.authorized).toBe(true);
    expect(after.cert.serialNumber).not.toBe(before.cert.serialNumber);
  });
});

describe('a DNS name (shinykit.test; pebble-challtestsrv resolves every name to 127.0.0.1) with the default profile of the CA', SLOW, () => {
  let s: Awaited<ReturnType<typeof stack>>;
  beforeAll(async () => {
    s = await stack('shinykit.test', '', ['default']);
  });
  afterAll(async () => s?.stop());

  it('a placeholder that expires within a day is regenerated at boot, never served', () => {
    mkdirSync(s.prefix.certDir, { recursive: true });
    const res = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/O=shinykit placeholder/CN=shinykit.test', '-addext', 'subjectAltName=DNS:shinykit.test',
      '-keyout', join(s.prefix.certDir, 'privkey.pem'), '-out', join(s.prefix.certDir, 'fullchain.pem')], { encoding: 'utf8' });
    expect(res.status, res.stderr).toBe(0);
    const boot = s.host.run(['--boot']);
    expect(boot.status, boot.output).toBe(0);
    expect(boot.output).toContain('serving a self-signed placeholder');
    const notAfter = new Date(String(boot.report.notAfter)).getTime();
    expect(notAfter - Date.now()).toBeGreaterThan(29 * 86_400_000);
  });

  it('a failed validation is reported with the ACME error and backs off, still serving the placeholder', () => {
    // nginx is not running yet: pebble cannot fetch the HTTP-01 token.
    const run = s.host.run([], { SHINYKIT_TLS_RETRY_SECONDS: '3600' });
    expect(run.status, run.output).toBe(0);
    expect(run.report).toMatchObject({ mode: 'placeholder', failures: 1, lastErrorKind: 'validation' });
    expect(String(run.report.lastError)).toContain('urn:ietf:params:acme:error:connection');
    const again = s.host.run([], { SHINYKIT_TLS_RETRY_SECONDS: '3600' });
    expect(again.report.detail).toMatch(/backing off after 1 failure/);
    expect(again.report.lastErrorKind).toBe('validation');
    expect(s.host.legoCalls()).toHaveLength(1);
  });

  it('obtains a 90-day certificate (CA default, no --profile) for the name through the rendered nginx', async () => {
    await s.startNginx();
    const run = s.host.run([], { SHINYKIT_TLS_RETRY_SECONDS: '0' });
    expect(run.status, run.output).toBe(0);
    expect(run.report.mode, run.output).toBe('trusted');
    expect(s.host.legoCalls().at(-1)).toMatch(/--domains shinykit\.test --email ops@example\.org run$/);
    const served = await fetchServed(s.ports.https, 'shinykit.test', s.pebble.rootPem);
    expect(served.authorized).toBe(true);
    expect(served.cert.subjectaltname).toBe('DNS:shinykit.test');
    expect(lifetimeSeconds(served.cert)).toBeCloseTo(PEBBLE_PROFILES.default, -2);
  });

});
