/**
 * Real nginx for tests and the bench: the rendered snippet inside a minimal
 * nginx.conf in a temporary prefix, with ports, certificate and webroot paths
 * substituted (the host's 80/443 and /etc paths are not ours to use here) and
 * a throwaway self-signed certificate made with openssl.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './ports.js';
import { stopProcess } from './process.js';

export interface LocalNginxPorts {
  readonly http: number;
  readonly https: number;
  /** Where the stand-in for ShinyProxy listens (replaces 127.0.0.1:8080). */
  readonly backend: number;
}

export interface NginxPrefix {
  readonly prefix: string;
  readonly conf: string;
  readonly certDir: string;
  readonly webroot: string;
  readonly errorLog: string;
  /** The snippet as installed in the prefix, after substitution. */
  readonly snippet: string;
}

/** Replaces `from` in `text`, failing loudly if it is not there (so a changed snippet cannot silently keep host values). */
function replaceAllRequired(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`expected the rendered nginx snippet to contain ${JSON.stringify(from)}`);
  return text.split(from).join(to);
}

/** Points the host snippet at loopback ports and the prefix's certificate and webroot. */
export function localizeSnippet(snippet: string, hostname: string, ports: LocalNginxPorts, dirs: { certDir: string; webroot: string }): string {
  let s = snippet;
  s = replaceAllRequired(s, 'listen 80;', `listen 127.0.0.1:${ports.http};`);
  s = replaceAllRequired(s, 'listen 443 ssl http2;', `listen 127.0.0.1:${ports.https} ssl http2;`);
  // TLS_DIR holds the certificate and the HSTS include shinykit-tls writes.
  s = replaceAllRequired(s, '/etc/shinykit/tls/', `${dirs.certDir}/`);
  s = replaceAllRequired(s, 'root /var/www/acme;', `root ${dirs.webroot};`);
  s = replaceAllRequired(s, 'server 127.0.0.1:8080;', `server 127.0.0.1:${ports.backend};`);
  return s;
}

/** A self-signed certificate for `hostname` in shinykit-tls's file names (chain.pem = the certificate itself). */
export function makeSelfSignedCert(certDir: string, hostname: string): void {
  mkdirSync(certDir, { recursive: true });
  const res = spawnSync(
    'openssl',
    [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
      '-keyout', join(certDir, 'privkey.pem'),
      '-out', join(certDir, 'fullchain.pem'),
      '-subj', `/CN=${hostname}`,
      '-addext', `subjectAltName=${/^[0-9.]+$/.test(hostname) ? 'IP' : 'DNS'}:${hostname}`,
    ],
    { encoding: 'utf8' },
  );
  if (res.status !== 0) throw new Error(`openssl failed: ${res.stderr}`);
  copyFileSync(join(certDir, 'fullchain.pem'), join(certDir, 'chain.pem'));
}

/** Writes prefix/nginx.conf including the localized snippet from prefix/conf.d/. */
export function prepareNginx(snippet: string, hostname: string, ports: LocalNginxPorts): NginxPrefix {
  const prefix = mkdtempSync(join(tmpdir(), 'shinykit-nginx-'));
  // Workers may run as another user (root's nginx switches to nobody): let them traverse the prefix.
  chmodSync(prefix, 0o755);
  const certDir = join(prefix, 'certs');
  const webroot = join(prefix, 'webroot');
  mkdirSync(join(webroot, '.well-known', 'acme-challenge'), { recursive: true });
  mkdirSync(join(prefix, 'conf.d'));
  mkdirSync(join(prefix, 'tmp'));
  makeSelfSignedCert(certDir, hostname);
  const local = localizeSnippet(snippet, hostname, ports, { certDir, webroot });
  writeFileSync(join(prefix, 'conf.d', 'shinyproxy.conf'), local);
  const errorLog = join(prefix, 'error.log');
  const isRoot = process.getuid?.() === 0;
  const conf = join(prefix, 'nginx.conf');
  writeFileSync(
    conf,
    [
      // As root, keep workers as root too so they can read the temp prefix; otherwise nginx runs as the current user.
      isRoot ? 'user root;' : '',
      'worker_processes 1;',
      `pid ${join(prefix, 'nginx.pid')};`,
      `error_log ${errorLog} warn;`,
      'events { worker_connections 1024; }',
      'http {',
      '    access_log off;',
      `    client_body_temp_path ${join(prefix, 'tmp', 'body')};`,
      `    proxy_temp_path ${join(prefix, 'tmp', 'proxy')};`,
      `    fastcgi_temp_path ${join(prefix, 'tmp', 'fastcgi')};`,
      `    uwsgi_temp_path ${join(prefix, 'tmp', 'uwsgi')};`,
      `    scgi_temp_path ${join(prefix, 'tmp', 'scgi')};`,
      `    include ${join(prefix, 'conf.d', '*.conf')};`,
      '}',
      '',
    ].join('\n'),
  );
  return { prefix, conf, certDir, webroot, errorLog, snippet: local };
}

/** `nginx -t` on the prefix's config. */
export function nginxConfigTest(p: NginxPrefix): { ok: boolean; output: string } {
  const res = spawnSync('nginx', ['-t', '-p', p.prefix, '-c', p.conf, '-e', p.errorLog], { encoding: 'utf8' });
  return { ok: res.status === 0, output: `${res.stdout}${res.stderr}` };
}

export interface RunningNginx {
  readonly child: ChildProcess;
  stop(): Promise<void>;
  /** The error log so far (for failure messages). */
  errors(): string;
}

/** Starts nginx in the foreground (its own pid and error log) and waits until both ports accept connections. */
export async function startNginx(p: NginxPrefix, ports: LocalNginxPorts): Promise<RunningNginx> {
  const child = spawn('nginx', ['-p', p.prefix, '-c', p.conf, '-e', p.errorLog, '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // If the test process dies without running afterAll, do not leave nginx behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.removeListener('exit', killOnExit));
  const errors = () => {
    try {
      return `${stderr}${readFileSync(p.errorLog, 'utf8')}`;
    } catch {
      return stderr;
    }
  };
  // SIGQUIT is graceful: workers finish, the master removes its pid file.
  const stop = () => stopProcess(child, 'SIGQUIT');
  try {
    for (const port of [ports.http, ports.https]) {
      await waitFor(() => canConnect(port), `nginx on 127.0.0.1:${port}`, 15_000);
    }
  } catch (err) {
    await stop();
    throw new Error(`nginx did not start: ${String(err)}\n${errors()}`);
  }
  return { child, stop, errors };
}

export function removePrefix(p: NginxPrefix | undefined): void {
  if (p) rmSync(p.prefix, { recursive: true, force: true });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}
