/**
 * apply's login check (assets/host/shinykit-apply.sh, step 6), run for real: the rendered nginx
 * snippet served by a running nginx 1.22 in a temporary prefix, and a stand-in for ShinyProxy
 * behind it. ShinyProxy itself cannot run here (no jar, no Docker): the stand-in answers
 * /oauth2/authorization/shinyproxy the way Spring Security does — a 302 to the live
 * application.yml's proxy.openid.auth-url, with redirect_uri built from the X-Forwarded-Proto
 * and X-Forwarded-Host nginx sends (server.forward-headers-strategy: native), http:// without
 * them. systemd, docker pull and the plain health check are injected as in host-apply.test.ts.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderConfigs } from '../../lib/render/index.js';
import { hostAssetsDir } from '../../lib/host-bootstrap.js';
import { fixtureConfig, fixtureImages, fixtureOutputs, SSLIP_HOST } from '../support/render-fixtures.js';
import { prepareNginx, removePrefix, startNginx, type NginxPrefix, type RunningNginx } from '../support/nginx.js';
import { freePort } from '../support/ports.js';

const SCRIPT = join(hostAssetsDir(), 'shinykit-apply.sh');
const POOL_DOMAIN = 'https://analytics-login.auth.eu-west-1.amazoncognito.com';

const cfg = fixtureConfig();
const rendered = renderConfigs({ config: cfg, outputs: fixtureOutputs(cfg), images: fixtureImages(cfg), source: 'test' });

let prefix: NginxPrefix;
let nginx: RunningNginx;
let backend: Server;
let root: string;
let ports: { http: number; https: number; backend: number };

/** Spring Security's redirect, from whatever application.yml is live in the root. */
function fakeShinyProxy(): Server {
  return createServer((req, res) => {
    if (!req.url?.startsWith('/oauth2/authorization/shinyproxy')) {
      res.writeHead(404);
      res.end();
      return;
    }
    const app = parse(readFileSync(join(root, 'etc/shinyproxy/application.yml'), 'utf8')) as { proxy: { openid: Record<string, string> } };
    const proto = (req.headers['x-forwarded-proto'] as string | undefined) ?? 'http';
    const host = (req.headers['x-forwarded-host'] as string | undefined) ?? req.headers.host;
    const redirectUri = `${proto}://${host}/login/oauth2/code/shinyproxy`;
    const auth = app.proxy.openid['auth-url']!;
    const location = `${auth}${auth.includes('?') ? '&' : '?'}response_type=code&client_id=${app.proxy.openid['client-id']}&scope=openid%20email&state=xyz&redirect_uri=${encodeURIComponent(redirectUri)}`;
    res.writeHead(302, { location });
    res.end();
  });
}

beforeAll(async () => {
  ports = { http: await freePort(), https: await freePort(), backend: await freePort() };
  prefix = prepareNginx(rendered.nginx, SSLIP_HOST, ports);
  root = mkdtempSync(join(tmpdir(), 'shinykit-login-'));
  mkdirSync(join(root, 'etc/nginx'), { recursive: true });
  mkdirSync(join(root, 'etc/shinyproxy'), { recursive: true });
  // apply swaps <root>/etc/nginx/conf.d/shinyproxy.conf: the running nginx includes that directory.
  symlinkSync(join(prefix.prefix, 'conf.d'), join(root, 'etc/nginx/conf.d'));
  writeFileSync(join(root, 'etc/shinyproxy/application.yml'), rendered.application);
  backend = fakeShinyProxy();
  await new Promise<void>((resolve) => backend.listen(ports.backend, '127.0.0.1', resolve));
  nginx = await startNginx(prefix, ports);
}, 60_000);

afterAll(async () => {
  await nginx?.stop();
  await new Promise<void>((resolve) => (backend ? backend.close(() => resolve()) : resolve()));
  removePrefix(prefix);
});

/** Async: the stand-in for ShinyProxy runs in this process and must keep answering meanwhile. */
async function apply(nginxText: string, app: string): Promise<{ code: number | null; out: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'shinykit-new-'));
  writeFileSync(join(dir, 'shinyproxy.conf'), nginxText);
  writeFileSync(join(dir, 'application.yml'), app);
  const nginxArgs = `-p ${prefix.prefix} -c ${prefix.conf} -e ${prefix.errorLog}`;
  const child = spawn('bash', [SCRIPT, '--nginx', join(dir, 'shinyproxy.conf'), '--application', join(dir, 'application.yml')], {
    env: {
      ...process.env,
      SHINYKIT_ROOT: root,
      SHINYKIT_NGINX_TEST: `nginx -t -q ${nginxArgs}`,
      // A reload is a signal; nginx swaps its workers a moment later.
      SHINYKIT_RELOAD_NGINX: `nginx -s reload ${nginxArgs} && sleep 1`,
      SHINYKIT_RESTART_SHINYPROXY: 'true',
      SHINYKIT_HEALTHCHECK: 'true',
      SHINYKIT_PULL: 'true',
      SHINYKIT_DOCKER: 'false',
      SHINYKIT_SITE_HOSTNAME: SSLIP_HOST,
      SHINYKIT_COGNITO_DOMAIN_URL: POOL_DOMAIN,
      SHINYKIT_HTTPS_PORT: String(ports.https),
      SHINYKIT_LOGIN_TIMEOUT: '10',
    },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, out };
}

const live = () => ({
  nginx: readFileSync(join(root, 'etc/nginx/conf.d/shinyproxy.conf'), 'utf8'),
  app: readFileSync(join(root, 'etc/shinyproxy/application.yml'), 'utf8'),
});

describe('apply checks the login through nginx and rolls back a config whose login is broken', () => {
  it('the rendered config passes: the login goes to this pool with redirect_uri https://<site>/login/oauth2/code/shinyproxy', async () => {
    const app = rendered.application.replace('title: Analytics', 'title: Analytics 2');
    const res = await apply(prefix.snippet, app);
    expect(res.out).toContain(`login redirects to ${POOL_DOMAIN}/oauth2/authorize with redirect_uri https://${SSLIP_HOST}/login/oauth2/code/shinyproxy`);
    expect(res.out).toContain('RESULT: applied');
    expect(res.code).toBe(0);
    expect(live().app).toContain('title: Analytics 2');
  }, 60_000);

  it('an auth-url of another Cognito domain is rejected and the previous application.yml is put back', async () => {
    const before = live();
    const app = before.app.replaceAll(POOL_DOMAIN, 'https://someone-else.auth.eu-west-1.amazoncognito.com');
    const res = await apply(before.nginx, app);
    expect(res.code).toBe(1);
    expect(res.out).toContain('RESULT: rejected: the login check failed: the login redirects to https://someone-else.auth.eu-west-1.amazoncognito.com/oauth2/authorize');
    expect(live()).toEqual(before);
    const status = JSON.parse(readFileSync(join(root, 'var/lib/shinykit/last-apply.json'), 'utf8'));
    expect(status.result).toBe('rejected');
  }, 60_000);

  it('an nginx snippet that stops sending X-Forwarded-Proto (an http:// redirect_uri Cognito refuses) is rolled back too', async () => {
    const before = live();
    const broken = before.nginx.replace(/^\s*proxy_set_header X-Forwarded-Proto https;\n/m, '');
    expect(broken).not.toBe(before.nginx);
    const res = await apply(broken, before.app.replace('title: Analytics 2', 'title: Analytics 3'));
    expect(res.code).toBe(1);
    expect(res.out).toContain(`the login's redirect_uri is 'http://${SSLIP_HOST}/login/oauth2/code/shinyproxy'`);
    expect(live()).toEqual(before);
    // And nginx serves the previous snippet again: the good login works.
    expect((await apply(before.nginx, before.app)).out).toContain('RESULT: unchanged');
  }, 60_000);
});

