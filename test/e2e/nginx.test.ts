/**
 * The rendered nginx snippet in real nginx (Debian's 1.22), on loopback high
 * ports, in front of a Node HTTP + websocket server standing in for ShinyProxy.
 * Only ports, certificate and webroot paths differ from what the host runs.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { renderConfigs } from '../../lib/render/index.js';
import { startBackend, type Backend } from '../support/nginx-backend.js';
import {
  nginxConfigTest,
  prepareNginx,
  removePrefix,
  startNginx,
  type LocalNginxPorts,
  type NginxPrefix,
  type RunningNginx,
} from '../support/nginx.js';
import { freePort } from '../support/ports.js';
import { SSLIP_HOST, fixtureConfig, fixtureImages, fixtureOutputs } from '../support/render-fixtures.js';

function renderedSnippet(domain?: string): { snippet: string; host: string } {
  const cfg = fixtureConfig(domain ? { domain } : {});
  const { nginx } = renderConfigs({ config: cfg, outputs: fixtureOutputs(cfg), images: fixtureImages(cfg), source: 'test' });
  return { snippet: nginx, host: domain ?? SSLIP_HOST };
}

async function localPorts(backend = 0): Promise<LocalNginxPorts> {
  return { http: await freePort(), https: await freePort(), backend: backend || (await freePort()) };
}

describe('nginx -t on the rendered snippet', () => {
  const prefixes: NginxPrefix[] = [];
  afterAll(() => prefixes.forEach(removePrefix));

  for (const domain of [undefined, 'apps.example.org']) {
    it(`passes for ${domain ? 'a custom domain' : 'the sslip.io hostname'} with no warning at all (no OCSP stapling any more)`, async () => {
      const { snippet, host } = renderedSnippet(domain);
      const p = prepareNginx(snippet, host, await localPorts());
      prefixes.push(p);
      const res = nginxConfigTest(p);
      expect(res.output).toContain('syntax is ok');
      expect(res.output).toContain('test is successful');
      expect(res.ok).toBe(true);
      // The HSTS include (hsts*.conf) matches no file here, which nginx accepts silently.
      const warnings = res.output.split('\n').filter((l) => /\[(warn|emerg|alert|crit|error)\]/.test(l));
      expect(warnings).toEqual([]);
    });
  }
});

describe('the rendered snippet in front of a ShinyProxy stand-in (real nginx)', () => {
  const { snippet, host } = renderedSnippet();
  let backend: Backend | undefined;
  let nginx: RunningNginx | undefined;
  let prefix: NginxPrefix | undefined;
  let ports: LocalNginxPorts;
  let ca: Buffer;

  beforeAll(async () => {
    try {
      backend = await startBackend();
      ports = await localPorts(backend.port);
      prefix = prepareNginx(snippet, host, ports);
      ca = readFileSync(join(prefix.certDir, 'fullchain.pem'));
      // What shinykit-tls writes once a trusted certificate has been in place for a week.
      writeFileSync(join(prefix.certDir, 'hsts.conf'), 'add_header Strict-Transport-Security "max-age=63072000" always;\n');
      nginx = await startNginx(prefix, ports);
    } catch (err) {
      await nginx?.stop();
      await backend?.stop();
      removePrefix(prefix);
      throw err;
    }
  });

  afterAll(async () => {
    await nginx?.stop();
    await backend?.stop();
    removePrefix(prefix);
  });

  const httpGet = (path: string) =>
    new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: ports.http, path, headers: { host } }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    });

  const httpsGet = (path: string, extraHeaders: Record<string, string> = {}) =>
    new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; rawHeaders: string[]; body: string }>(
      (resolve, reject) => {
        const req = httpsRequest(
          { host: '127.0.0.1', port: ports.https, path, servername: host, ca, headers: { host, ...extraHeaders }, agent: false },
          (res) => {
            let body = '';
            res.on('data', (d: Buffer) => (body += d.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body }));
          },
        );
        req.on('error', reject);
        req.end();
      },
    );

  it('redirects http to https keeping path and query', async () => {
    const res = await httpGet('/app/shiny-demo/?tab=2&x=a%20b');
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe(`https://${host}/app/shiny-demo/?tab=2&x=a%20b`);
  });

  it('serves ACME HTTP-01 challenges from the webroot over plain http (no redirect)', async () => {
    writeFileSync(join(prefix!.webroot, '.well-known', 'acme-challenge', 'tok3n'), 'tok3n.key-authorization');
    const res = await httpGet('/.well-known/acme-challenge/tok3n');
    expect(res.status).toBe(200);
    expect(res.body).toBe('tok3n.key-authorization');
  });

  it('proxies a GET with Host, X-Forwarded-Proto https, X-Real-IP and X-Forwarded-For', async () => {
    const res = await httpsGet('/app/x?y=1');
    expect(res.status).toBe(200);
    const seen = JSON.parse(res.body) as { url: string; headers: Record<string, string> };
    expect(seen.url).toBe('/app/x?y=1');
    expect(seen.headers.host).toBe(host);
    expect(seen.headers['x-forwarded-proto']).toBe('https');
    expect(seen.headers['x-real-ip']).toBe('127.0.0.1');
    expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
    // No upgrade was asked for, so the map sends an empty Connection header (kept-alive upstream connection).
    expect(seen.headers.connection).toBeUndefined();
  });

  it('drops identity headers a client sends itself (only ShinyProxy may set them)', async () => {
    const res = await httpsGet('/', { 'X-SP-UserId': 'admin@example.org', 'X-SP-UserGroups': 'admin_users' });
    const seen = JSON.parse(res.body) as { headers: Record<string, string> };
    expect(seen.headers['x-sp-userid']).toBeUndefined();
    expect(seen.headers['x-sp-usergroups']).toBeUndefined();
  });

  it('sends exactly one HSTS header, the one from the shinykit-tls include (nginx replaces the backend copy), and nosniff', async () => {
    const res = await httpsGet('/');
    const hsts = res.rawHeaders.filter((_, i) => i % 2 === 0 && res.rawHeaders[i]!.toLowerCase() === 'strict-transport-security');
    expect(hsts).toHaveLength(1);
    expect(res.headers['strict-transport-security']).toBe('max-age=63072000');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('carries a websocket round trip through nginx', async () => {
    // ws hands its options to tls.connect, so `servername` (SNI + certificate check for the site name) works; its types omit it.
    const options: WebSocket.ClientOptions & { servername: string } = { ca, servername: host, headers: { host } };
    const ws = new WebSocket(`wss://127.0.0.1:${ports.https}/app/ws`, options);
    const messages: string[] = [];
    const done = new Promise<void>((resolve, reject) => {
      ws.on('message', (data) => {
        messages.push(data.toString());
        if (messages.length === 1) ws.send('ping');
        else resolve();
      });
      ws.on('error', reject);
    });
    try {
      await done;
    } finally {
      ws.terminate();
    }
    expect(messages).toEqual(['hello https', 'echo:ping']);
  });

  const handshake = (maxVersion: 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3') =>
    new Promise<{ ok: true; protocol: string | null } | { ok: false; error: string }>((resolve) => {
      // minVersion TLSv1 and @SECLEVEL=0 make Node's OpenSSL willing to offer TLS 1.1, so any refusal is nginx's.
      const sock = tlsConnect({
        host: '127.0.0.1',
        port: ports.https,
        servername: host,
        ca,
        minVersion: 'TLSv1',
        maxVersion,
        ciphers: 'DEFAULT:@SECLEVEL=0',
      });
      sock.once('secureConnect', () => {
        const protocol = sock.getProtocol();
        sock.destroy();
        resolve({ ok: true, protocol });
      });
      sock.once('error', (err) => resolve({ ok: false, error: err.message }));
    });

  it('refuses a TLS 1.1 handshake with a protocol-version alert, while the same client gets TLS 1.2 and 1.3', async () => {
    const old = await handshake('TLSv1.1');
    expect(old.ok).toBe(false);
    expect(old.ok ? '' : old.error).toMatch(/alert protocol version/i);
    expect(await handshake('TLSv1.2')).toEqual({ ok: true, protocol: 'TLSv1.2' });
    expect(await handshake('TLSv1.3')).toEqual({ ok: true, protocol: 'TLSv1.3' });
  });
});
