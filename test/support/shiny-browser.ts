/**
 * Real R and a real browser for the Shiny example: `Rscript` (Debian's r-base-core + r-cran-shiny)
 * runs assets/examples/shiny-demo/app.R with a chosen environment, nginx stands in front of it where
 * a test needs request headers set, and headless Chromium (Debian's chromium) is driven with
 * puppeteer-core. `.ci/run` installs all three; when one is missing this fails with a MISSING line.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';
import { freePort, waitFor } from './ports.js';
import { stopProcess } from './process.js';

export const SHINY_APP_DIR = fileURLToPath(new URL('../../assets/examples/shiny-demo/', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Throws one message naming every missing tool and the package that brings it. */
export function requireShinyTools(): void {
  const missing: string[] = [];
  const r = spawnSync('Rscript', ['-e', 'cat(as.character(packageVersion("shiny")))'], { encoding: 'utf8' });
  if (r.error) missing.push('MISSING: Rscript is not on PATH (apt package r-base-core)');
  else if (r.status !== 0) missing.push(`MISSING: R cannot load shiny (apt package r-cran-shiny): ${r.stderr.trim()}`);
  if (!existsSync(CHROMIUM)) missing.push(`MISSING: ${CHROMIUM} (apt package chromium; or set CHROMIUM_PATH)`);
  if (spawnSync('nginx', ['-v']).error) missing.push('MISSING: nginx is not on PATH (apt package nginx)');
  if (missing.length > 0) throw new Error(`${missing.join('\n')}\nbash .ci/run installs them.`);
}

export interface ShinyApp {
  readonly url: string;
  readonly port: number;
  /** R's stdout and stderr so far. */
  output(): string;
  stop(): Promise<void>;
}

/** A GET that resolves with the status code (no redirects, no body kept). */
function status(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = get(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.setTimeout(2000, () => req.destroy(new Error('timeout')));
  });
}

/**
 * Starts app.R under Rscript on a free loopback port, with exactly `env` on top of PATH, HOME and
 * a UTF-8 locale (like a container: nothing leaks in from the test's own environment).
 */
export async function startShinyApp(env: Readonly<Record<string, string>>): Promise<ShinyApp> {
  const port = await freePort();
  const expr = `shiny::runApp(${JSON.stringify(SHINY_APP_DIR)}, host = "127.0.0.1", port = ${port}, launch.browser = FALSE)`;
  const child: ChildProcess = spawn('Rscript', ['-e', expr], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', LANG: 'C.UTF-8', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d: Buffer) => (out = (out + d.toString()).slice(-20_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  const url = `http://127.0.0.1:${port}/`;
  const stop = () => stopProcess(child, 'SIGTERM');
  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error('exited');
      return (await status(url)) === 200;
    }, `the Shiny app on ${url}`, 30_000);
    if (child.exitCode !== null) throw new Error(`R exited with ${child.exitCode}`);
  } catch (err) {
    await stop();
    throw new Error(`the Shiny app did not start: ${String(err)}\n${out}`);
  }
  return { url, port, output: () => out, stop };
}

export interface HeaderProxy {
  /** One loopback URL per identity, in the order given. */
  readonly urls: string[];
  errors(): string;
  stop(): Promise<void>;
}

export interface HeaderIdentity {
  readonly userId: string;
  /** As ShinyProxy sends it: upper-cased group names joined by commas. */
  readonly userGroups: string;
}

/**
 * Real nginx standing in for ShinyProxy in front of one shared app process (pre-started
 * containers): one server per identity, each setting X-SP-UserId / X-SP-UserGroups on every
 * request, the websocket upgrade included, and replacing any the browser sent.
 */
export async function startHeaderProxy(backendPort: number, identities: readonly HeaderIdentity[]): Promise<HeaderProxy> {
  const prefix = mkdtempSync(join(tmpdir(), 'shinykit-sp-headers-'));
  mkdirSync(join(prefix, 'tmp'));
  const ports = await Promise.all(identities.map(() => freePort()));
  const errorLog = join(prefix, 'error.log');
  const quote = (v: string) => `"${v.replace(/["\\$]/g, '')}"`;
  const servers = identities.map((id, i) =>
    [
      '  server {',
      `    listen 127.0.0.1:${ports[i]};`,
      '    location / {',
      `      proxy_pass http://127.0.0.1:${backendPort};`,
      '      proxy_http_version 1.1;',
      '      proxy_set_header Upgrade $http_upgrade;',
      '      proxy_set_header Connection $connection_upgrade;',
      '      proxy_read_timeout 300s;',
      '      proxy_buffering off;',
      `      proxy_set_header X-SP-UserId ${quote(id.userId)};`,
      `      proxy_set_header X-SP-UserGroups ${quote(id.userGroups)};`,
      '    }',
      '  }',
    ].join('\n'),
  );
  const conf = join(prefix, 'nginx.conf');
  writeFileSync(
    conf,
    [
      process.getuid?.() === 0 ? 'user root;' : '',
      'worker_processes 1;',
      `pid ${join(prefix, 'nginx.pid')};`,
      `error_log ${errorLog} warn;`,
      'events { worker_connections 256; }',
      'http {',
      '  access_log off;',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${join(prefix, 'tmp', t)};`),
      "  map $http_upgrade $connection_upgrade { default upgrade; '' close; }",
      ...servers,
      '}',
      '',
    ].join('\n'),
  );
  const child = spawn('nginx', ['-p', prefix, '-c', conf, '-e', errorLog, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  const errors = () => stderr + (existsSync(errorLog) ? readFileSync(errorLog, 'utf8') : '');
  const stop = async () => {
    await stopProcess(child, 'SIGQUIT');
    rmSync(prefix, { recursive: true, force: true });
  };
  const urls = ports.map((p) => `http://127.0.0.1:${p}/`);
  try {
    for (const url of urls) await waitFor(async () => (await status(url)) === 200, `nginx on ${url}`, 15_000);
  } catch (err) {
    const log = errors();
    await stop();
    throw new Error(`nginx did not start: ${String(err)}\n${log}`);
  }
  return { urls, errors, stop };
}

/**
 * One headless Chromium for the whole file; each user gets their own browser context.
 * `hosts` resolve to 127.0.0.1 (a site name the kit's nginx snippet serves), and the test's
 * self-signed certificates are accepted.
 */
export function launchChromium(hosts: readonly string[] = []): Promise<Browser> {
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    acceptInsecureCerts: true,
    // Root (CI) cannot use Chromium's sandbox; /dev/shm is small in containers.
    args: [
      '--no-sandbox',
      '--disable-dev-shm-usage',
      '--disable-gpu',
      ...(hosts.length > 0 ? [`--host-resolver-rules=${hosts.map((h) => `MAP ${h} 127.0.0.1`).join(', ')}`] : []),
    ],
  });
}
