/**
 * `shinykit doctor` against local stand-ins: moto_server for Cognito, ECR and
 * Parameter Store; a local HTTPS server (Node) with a throwaway CA that plays
 * nginx + ShinyProxy's login redirect; `localhost` as the site name so the real
 * system resolver answers. moto does not implement SSM DescribeInstanceInformation,
 * so a small proxy in front of it answers that one call (everything else reaches moto).
 */
import { CognitoIdentityProviderClient, CreateUserPoolClientCommand, CreateUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';
import { CreateRepositoryCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, request, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { startMoto, TEST_REGION, type Moto } from '../support/moto.js';

const COGNITO_URL = `https://analytics-login.auth.${TEST_REGION}.amazoncognito.com`;
const CALLBACK = 'https://localhost/login/oauth2/code/shinyproxy';

/** A throwaway CA and certificates for `localhost`, made with the openssl CLI. */
function makeCerts(dir: string) {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', '/O=shinykit test CA/CN=shinykit test CA');
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'long.key', '-out', 'long.csr', '-subj', '/CN=localhost');
  ssl('x509', '-req', '-in', 'long.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'long.pem', '-days', '90', '-extfile', 'ext.cnf');
  // 'short': a 90-day certificate issued 85 days ago (5 days left). `openssl ca` can backdate; `x509 -req` cannot.
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  writeFileSync(
    join(dir, 'ca.cnf'),
    '[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\nserial=serial\nnew_certs_dir=.\ncertificate=ca.pem\nprivate_key=ca.key\n' +
      'default_md=sha256\npolicy=p\nunique_subject=no\ncopy_extensions=none\nx509_extensions=e\n[p]\ncommonName=supplied\n[e]\nsubjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n',
  );
  const stamp = (d: Date) => d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'short.key', '-out', 'short.csr', '-subj', '/CN=localhost');
  ssl('ca', '-batch', '-config', 'ca.cnf', '-in', 'short.csr', '-out', 'short.pem', '-notext',
    '-startdate', stamp(new Date(Date.now() - 85 * 86_400_000)), '-enddate', stamp(new Date(Date.now() + 5 * 86_400_000)));
  return { ca: join(dir, 'ca.pem'), cert: (n: 'long' | 'short') => ({ cert: execFileSync('cat', [join(dir, `${n}.pem`)]), key: execFileSync('cat', [join(dir, `${n}.key`)]) }) };
}

/** Plays nginx + ShinyProxy: / → /oauth2/authorization/shinyproxy → Cognito authorize. */
interface SiteBehaviour {
  redirectUri: string;
  clientId: string;
  status?: number;
}

const listen = (srv: Server) => new Promise<number>((r) => srv.listen(0, '127.0.0.1', () => r((srv.address() as AddressInfo).port)));

describe('shinykit doctor (built CLI, moto + local HTTPS)', () => {
  let moto: Moto;
  let dir: string;
  let certs: ReturnType<typeof makeCerts>;
  let site: { port: number; behaviour: SiteBehaviour; close: () => void; setCert: (n: 'long' | 'short') => void };
  let ssmProxy: { url: string; ping: string; close: () => void };
  let clients: { cognito: CognitoIdentityProviderClient; ecr: ECRClient; ssm: SSMClient };

  beforeAll(async () => {
    moto = await startMoto();
    dir = mkdtempSync(join(tmpdir(), 'shinykit-doctor-'));
    certs = makeCerts(dir);

    const behaviour: SiteBehaviour = { redirectUri: CALLBACK, clientId: '' };
    const https = createHttpsServer(certs.cert('long'), (req, res) => {
      if (behaviour.status) return void res.writeHead(behaviour.status).end();
      if (req.headers.host !== 'localhost') return void res.writeHead(421).end(); // the Host header must be the site's name
      if (req.url === '/' || req.url === '') return void res.writeHead(302, { Location: '/oauth2/authorization/shinyproxy' }).end();
      if (req.url === '/oauth2/authorization/shinyproxy') {
        const q = new URLSearchParams({ response_type: 'code', client_id: behaviour.clientId, scope: 'openid email', state: 'x', redirect_uri: behaviour.redirectUri });
        return void res.writeHead(302, { Location: `${COGNITO_URL}/oauth2/authorize?${q}` }).end();
      }
      res.writeHead(404).end();
    });
    const sitePort = await listen(https as unknown as Server);
    site = {
      port: sitePort,
      behaviour,
      close: () => https.close(),
      setCert: (n) => https.setSecureContext(certs.cert(n)),
    };

    const proxy = { ping: 'Online' };
    const ssmServer = createHttpServer((req, res) => {
      if (req.headers['x-amz-target'] === 'AmazonSSM.DescribeInstanceInformation') {
        req.resume();
        const list = proxy.ping === 'missing' ? [] : [{ InstanceId: 'i-0123456789abcdef0', PingStatus: proxy.ping, AgentVersion: '3.3.0' }];
        res.writeHead(200, { 'Content-Type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ InstanceInformationList: list }));
        return;
      }
      const target = new URL(moto.url);
      const fwd = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 500, up.headers);
        up.pipe(res);
      });
      req.pipe(fwd);
    });
    const ssmPort = await listen(ssmServer);
    ssmProxy = {
      url: `http://127.0.0.1:${ssmPort}`,
      get ping() {
        return proxy.ping;
      },
      set ping(v: string) {
        proxy.ping = v;
      },
      close: () => ssmServer.close(),
    };
    const cfg = { endpoint: moto.url, region: TEST_REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
    clients = { cognito: new CognitoIdentityProviderClient(cfg), ecr: new ECRClient(cfg), ssm: new SSMClient(cfg) };
  });

  afterAll(async () => {
    site?.close();
    ssmProxy?.close();
    await moto?.stop();
  });

  beforeEach(async () => {
    await moto.reset();
    site.behaviour.redirectUri = CALLBACK;
    site.behaviour.status = undefined;
    site.setCert('long');
    ssmProxy.ping = 'Online';
  });

  /** A deployment in moto plus the cdk-outputs.json describing it; `broken` leaves parts out. */
  async function deploy(opts: { logoutUrls?: string[]; pushDash?: boolean; lastApply?: object | null; bootstrap?: object; hostIp?: string; tls?: object } = {}) {
    const pool = await clients.cognito.send(new CreateUserPoolCommand({ PoolName: 'analytics' }));
    const poolId = pool.UserPool!.Id!;
    const client = await clients.cognito.send(
      new CreateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientName: 'shinyproxy',
        GenerateSecret: true,
        CallbackURLs: [CALLBACK],
        LogoutURLs: opts.logoutUrls ?? ['https://localhost/'],
      }),
    );
    const clientId = client.UserPoolClient!.ClientId!;
    site.behaviour.clientId = clientId;
    const repos: Record<string, string> = {};
    for (const app of ['shiny-demo', 'dash-demo']) {
      const repo = await clients.ecr.send(new CreateRepositoryCommand({ repositoryName: `analytics/${app}` }));
      repos[app] = repo.repository!.repositoryUri!;
      if (app === 'dash-demo' && opts.pushDash === false) continue;
      const manifest = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', config: {}, layers: [] });
      await clients.ecr.send(new PutImageCommand({ repositoryName: `analytics/${app}`, imageManifest: manifest, imageTag: 'v1' }));
    }
    const bootstrap = JSON.stringify(opts.bootstrap ?? { result: 'ok', step: 'done', detail: '', time: '2026-11-22T09:50:00Z' });
    await clients.ssm.send(new PutParameterCommand({ Name: '/shinykit/analytics/status/bootstrap', Type: 'String', Value: bootstrap, Overwrite: true }));
    // What assets/host/shinykit-tls.sh publishes (fields as in its report()).
    const tls = JSON.stringify(
      opts.tls ?? { mode: 'trusted', site: 'localhost', profile: '', issuer: 'O=shinykit test CA', names: 'DNS:localhost', notAfter: '2027-02-20T10:00:00Z', hsts: 'long', failures: 0, detail: 'certificate good', lastError: '', lastErrorKind: '', time: '2026-11-22T10:05:00Z' },
    );
    await clients.ssm.send(new PutParameterCommand({ Name: '/shinykit/analytics/status/tls', Type: 'String', Value: tls, Overwrite: true }));
    if (opts.lastApply !== null) {
      const value = JSON.stringify(opts.lastApply ?? { result: 'applied', reason: 'nginx snippet changed: yes', time: '2026-11-22T10:00:00Z' });
      await clients.ssm.send(new PutParameterCommand({ Name: '/shinykit/analytics/status/last-apply', Type: 'String', Value: value, Overwrite: true }));
    }
    const outputs = {
      'analytics-data': {
        UserPoolId: poolId,
        UserPoolClientId: clientId,
        CognitoDomainUrl: COGNITO_URL,
        JwksUrl: `https://cognito-idp.${TEST_REGION}.amazonaws.com/${poolId}/.well-known/jwks.json`,
        LogoutUrl: `${COGNITO_URL}/logout?client_id=${clientId}&logout_uri=https://localhost/`,
        SiteHostname: 'localhost',
        SiteUrl: 'https://localhost/',
        HostPublicIp: opts.hostIp ?? '127.0.0.1',
        Region: TEST_REGION,
        RepositoryShinyDemo: repos['shiny-demo'],
        RepositoryDashDemo: repos['dash-demo'],
      },
      'analytics-host': { HostInstanceId: 'i-0123456789abcdef0', ConfigParameterPrefix: '/shinykit/analytics/', HostLogGroupName: 'analytics-host-logs' },
    };
    copyFileSync('shinykit.yaml', join(dir, 'shinykit.yaml'));
    writeFileSync(join(dir, 'cdk-outputs.json'), JSON.stringify(outputs, null, 2));
  }

  const doctor = (args: string[] = [], env: Record<string, string | undefined> = {}) =>
    runCli(['doctor', '--connect', `127.0.0.1:${site.port}`, ...args], {
      cwd: dir,
      env: { ...moto.env, AWS_ENDPOINT_URL_SSM: ssmProxy.url, NODE_EXTRA_CA_CERTS: certs.ca, ...env },
    });

  it('a healthy deployment passes every check, one ✓ line each, exit 0', async () => {
    await deploy();
    const res = await doctor();
    expect(res.stderr).not.toContain('error');
    expect(res.exitCode).toBe(0);
    const lines = res.stdout.split('\n').filter((l) => /^[✓✗!-] /.test(l));
    expect(lines).toHaveLength(10);
    expect(lines.every((l) => l.startsWith('✓ '))).toBe(true);
    expect(res.stdout).toContain('✓ DNS points at the host: localhost → 127.0.0.1');
    expect(res.stdout).toMatch(/✓ HTTPS certificate valid: trusted, valid until \d{4}-\d\d-\d\dT\d\d:\d\dZ, issued by shinykit test CA, names DNS:localhost/);
    expect(res.stdout).toContain("✓ host's certificate status: serving O=shinykit test CA's certificate, for DNS:localhost, until 2027-02-20T10:00:00Z, HSTS long");
    expect(res.stdout).toContain(`redirect_uri ${CALLBACK}`);
    expect(res.stdout).toContain('✓ every app has an image in ECR: 2 app(s): shiny-demo, dash-demo');
    expect(res.stdout).toContain('✓ host online in SSM: i-0123456789abcdef0 Online');
    expect(res.stdout).toContain('✓ last config apply succeeded: applied at 2026-11-22T10:00:00Z');
    expect(res.stdout).toContain('all 10 checks passed');
  });

  it('each broken part is a ✗ with its fix, and the exit code is 1', async () => {
    await deploy({ logoutUrls: ['https://localhost'], pushDash: false, hostIp: '203.0.113.10', lastApply: { result: 'rejected', reason: 'nginx -t failed', time: 't' }, bootstrap: { result: 'failed', step: 'docker', detail: 'line 1\nline 2\nError: docker did not start', time: 't' } });
    site.behaviour.redirectUri = 'http://localhost/login/oauth2/code/shinyproxy';
    ssmProxy.ping = 'ConnectionLost';
    const res = await doctor();
    expect(res.exitCode).toBe(1);
    const out = res.stdout;
    expect(out).toContain('✗ DNS points at the host: localhost resolves to 127.0.0.1, not the host\'s address 203.0.113.10');
    expect(out).toMatch(/✗ login redirects to Cognito.*redirect_uri is http:\/\/localhost\/login\/oauth2\/code\/shinyproxy, expected exactly https:/);
    expect(out).toMatch(/fix: ShinyProxy thinks it is served over http/);
    expect(out).toMatch(/✗ Cognito client's callback and sign-out URLs match the site: .*LogoutURLs \["https:\/\/localhost"\] lack https:\/\/localhost\/ \(must match exactly, trailing slash included\)/);
    expect(out).toMatch(/✗ every app has an image in ECR: no image for dash-demo \(analytics\/dash-demo is empty\)\n\s+fix: build and push the apps: `npx shinykit push`/);
    expect(out).toContain('✗ host online in SSM: i-0123456789abcdef0 is ConnectionLost in SSM');
    expect(out).toMatch(/✗ last config apply succeeded: rejected at t: nginx -t failed\n\s+fix: the host kept its last good config/);
    expect(out).toMatch(/✗ host finished its first boot: failed at step docker: line 1 \/ line 2 \/ Error: docker did not start\n\s+fix: see docs\/host\.md/);
    // Fixes carry the values doctor knows, never placeholders.
    expect(out).toContain('`npx cdk deploy analytics-host`');
    expect(out).toContain('the boot log in the log group analytics-host-logs');
    expect(out).not.toMatch(/<name>|<HostInstanceId>|<prefix>/);
    expect(out).toContain('✓ HTTPS certificate valid');
    expect(out).toContain('7 of 10 checks failed');
    expect(out.match(/^ {4}fix: /gm)).toHaveLength(7);
    expect(res.stderr).toContain('7 check(s) failed');
  });

  it('a certificate expiring within 14 days is a warning, not a failure', async () => {
    await deploy();
    site.setCert('short');
    const res = await doctor();
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toMatch(/! HTTPS certificate valid: valid until .* \([45] days left, names DNS:localhost\)\n\s+fix: the host renews with a third of the lifetime left/);
    expect(res.stdout).toContain('all 10 checks passed (1 warning)');
  });

  it('an untrusted certificate (the self-signed placeholder) fails and points at the host\'s certificate status', async () => {
    await deploy();
    const res = await doctor([], { NODE_EXTRA_CA_CERTS: undefined });
    expect(res.exitCode).toBe(1);
    expect(res.stdout).toMatch(/✗ HTTPS certificate valid: the certificate is not trusted \([A-Z_]+, issuer shinykit test CA, names DNS:localhost\)/);
    expect(res.stdout).toContain('The "host\'s certificate status" check below shows the last ACME error');
    // The redirect is still checked: the certificate problem does not hide it.
    expect(res.stdout).toContain('✓ login redirects to Cognito');
  });

  it('no config applied yet and nginx answering 502 are reported with their fixes', async () => {
    await deploy({ lastApply: null });
    site.behaviour.status = 502;
    const res = await doctor(['--json']);
    expect(res.exitCode).toBe(1);
    const report = JSON.parse(res.stdout) as { ok: boolean; failed: number; checks: Array<{ id: string; status: string; detail: string; fix?: string }> };
    expect(report.ok).toBe(false);
    const by = Object.fromEntries(report.checks.map((c) => [c.id, c]));
    expect(by['login-redirect']).toMatchObject({ status: 'fail' });
    expect(by['login-redirect']!.detail).toContain('answered 502');
    expect(by['last-apply']!.detail).toContain('no config has been applied yet');
    expect(by['last-apply']!.fix).toContain('npx shinykit push');
    expect(report.checks.map((c) => c.id)).toEqual(['outputs', 'dns', 'https', 'tls-status', 'login-redirect', 'cognito-client', 'images', 'bootstrap', 'ssm-online', 'last-apply']);
  });

  it('without outputs, the first check fails and the rest are skipped rather than guessed', async () => {
    await deploy();
    const res = await doctor(['--outputs', join(dir, 'nope.json')]);
    expect(res.exitCode).toBe(1);
    expect(res.stdout).toMatch(/✗ stacks deployed, outputs complete: nothing is deployed yet: there is no .*nope\.json and no stack analytics-data( in [a-z0-9-]+)? \(deploy first: `shinykit deploy`/);
    expect(res.stdout).toMatch(/fix: deploy the current stacks/);
    expect(res.stdout).toMatch(/^- DNS points at the host: needs the SiteHostname output/m);
  });

  it("the host's last ACME error is shown with what to do: a rate limit on an sslip.io name points at the shared quota", async () => {
    await deploy({
      tls: { mode: 'placeholder', site: '203.0.113.10.sslip.io', profile: '', issuer: 'O=shinykit placeholder,CN=203.0.113.10.sslip.io', names: 'DNS:203.0.113.10.sslip.io', notAfter: '2027-01-01T00:00:00Z', hsts: 'none', failures: 3, detail: 'lego run failed (3 in a row)', lastError: 'acme: error: 429 :: POST :: https://acme-v02.api.letsencrypt.org/acme/new-order :: urn:ietf:params:acme:error:rateLimited :: too many certificates (50000) already issued for "sslip.io" in the last 168h0m0s', lastErrorKind: 'rate-limited', time: 't' },
    });
    const res = await doctor(['--json']);
    const check = (JSON.parse(res.stdout) as { checks: Array<{ id: string; status: string; detail: string; fix?: string }> }).checks.find((c) => c.id === 'tls-status')!;
    expect(check.status).toBe('fail');
    expect(check.detail).toContain('serving the self-signed placeholder');
    expect(check.detail).toContain('3 failed attempt(s), last: acme: error: 429');
    expect(check.detail).toContain('rateLimited');
    expect(check.fix).toMatch(/every sslip\.io user in the world shares: remove tls\.sslip/);
  });

  it('an IP site (SiteHostname is the Elastic IP) needs no DNS record and is checked against the certificate\'s IP address', async () => {
    await deploy();
    const outputs = JSON.parse(readFileSync(join(dir, 'cdk-outputs.json'), 'utf8')) as Record<string, Record<string, string>>;
    outputs['analytics-data']!.SiteHostname = '127.0.0.1';
    writeFileSync(join(dir, 'cdk-outputs.json'), JSON.stringify(outputs));
    const res = await doctor(['--json']);
    const by = Object.fromEntries((JSON.parse(res.stdout) as { checks: Array<{ id: string; status: string; detail: string }> }).checks.map((c) => [c.id, c]));
    expect(by.dns).toMatchObject({ status: 'ok', detail: 'the site is the Elastic IP 127.0.0.1; no DNS record needed' });
    // The test certificate names DNS:localhost only, so an IP site must not accept it.
    expect(by.https!.status).toBe('fail');
    expect(by.https!.detail).toMatch(/not trusted \(ERR_TLS_CERT_ALTNAME_INVALID/);
  });

  it('--connect rejects a value that is not host:port (exit 2)', async () => {
    const res = await runCli(['doctor', '--connect', 'nonsense'], { cwd: dir });
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain('expected host:port');
  });
});
