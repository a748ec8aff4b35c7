/**
 * The host-side apply/rollback script (assets/host/shinykit-apply.sh), run for real
 * against a temporary root with the real `nginx -t` (Debian nginx 1.22). What cannot
 * run here is injected through the script's own hooks and recorded in a calls file:
 * systemd (restart/reload), `docker pull`, and ShinyProxy's health (simulated as
 * "ShinyProxy fails to start when application.yml contains `unhealthy`").
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SCRIPT = new URL('../../assets/host/shinykit-apply.sh', import.meta.url).pathname;

interface Root {
  dir: string;
  nginxTarget: string;
  appTarget: string;
  calls(): string[];
  status(): { result: string; reason: string };
}

function makeRoot(): Root {
  const dir = mkdtempSync(join(tmpdir(), 'shinykit-host-'));
  for (const d of ['etc/nginx/conf.d', 'etc/ssl', 'etc/shinyproxy', 'run']) mkdirSync(join(dir, d), { recursive: true });
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost',
    '-keyout', join(dir, 'etc/ssl/privkey.pem'), '-out', join(dir, 'etc/ssl/fullchain.pem'),
  ], { stdio: 'ignore' });
  // The shape of the host's nginx.conf: the snippet is included from conf.d.
  writeFileSync(
    join(dir, 'etc/nginx/nginx.conf'),
    `pid ${dir}/run/nginx.pid;\nerror_log stderr;\nevents {}\nhttp {\n  access_log off;\n  include ${dir}/etc/nginx/conf.d/*.conf;\n}\n`,
  );
  writeFileSync(join(dir, 'etc/nginx/conf.d/shinyproxy.conf'), nginxSnippet(dir, 'old'));
  writeFileSync(join(dir, 'etc/shinyproxy/application.yml'), applicationYml('old'));
  const calls = join(dir, 'calls');
  writeFileSync(calls, '');
  return {
    dir,
    nginxTarget: join(dir, 'etc/nginx/conf.d/shinyproxy.conf'),
    appTarget: join(dir, 'etc/shinyproxy/application.yml'),
    calls: () => readFileSync(calls, 'utf8').split('\n').filter(Boolean),
    status: () => JSON.parse(readFileSync(join(dir, 'var/lib/shinykit/last-apply.json'), 'utf8')) as { result: string; reason: string },
  };
}

function nginxSnippet(dir: string, marker: string, extra = ''): string {
  return [
    `# ${marker}`,
    'server {',
    '  listen 127.0.0.1:18443 ssl http2;',
    `  ssl_certificate ${dir}/etc/ssl/fullchain.pem;`,
    `  ssl_certificate_key ${dir}/etc/ssl/privkey.pem;`,
    '  location / { proxy_pass http://127.0.0.1:8080; proxy_read_timeout 3600s; }',
    extra,
    '}',
    '',
  ].join('\n');
}

function applicationYml(title: string, image = 'registry.example/analytics/shiny-demo@sha256:' + 'a'.repeat(64)): string {
  return [
    'proxy:',
    `  title: ${title}`,
    '  port: 8080',
    '  specs:',
    '    - id: shiny-demo',
    `      container-image: ${image}`,
    '    - id: dash-demo',
    `      container-image: ${image}`,
    '',
  ].join('\n');
}

function apply(root: Root, nginx: string, app: string, env: Record<string, string> = {}) {
  const newDir = mkdtempSync(join(tmpdir(), 'shinykit-new-'));
  writeFileSync(join(newDir, 'shinyproxy.conf'), nginx);
  writeFileSync(join(newDir, 'application.yml'), app);
  const calls = join(root.dir, 'calls');
  const res = spawnSync('bash', [SCRIPT, '--nginx', join(newDir, 'shinyproxy.conf'), '--application', join(newDir, 'application.yml')], {
    encoding: 'utf8',
    env: {
      ...process.env,
      SHINYKIT_ROOT: root.dir,
      SHINYKIT_NGINX_TEST: `nginx -t -q -p ${root.dir}/ -c ${root.dir}/etc/nginx/nginx.conf`,
      SHINYKIT_RELOAD_NGINX: `echo reload-nginx >> ${calls}`,
      SHINYKIT_RESTART_SHINYPROXY: `echo restart-shinyproxy >> ${calls}`,
      SHINYKIT_HEALTHCHECK: `echo healthcheck >> ${calls}; ! grep -q unhealthy ${root.dir}/etc/shinyproxy/application.yml`,
      SHINYKIT_PULL: `echo pull >> ${calls}; echo >> ${calls}`,
      ...env,
    },
  });
  return { code: res.status, out: `${res.stdout}${res.stderr}` };
}

describe('shinykit-apply.sh against a temporary root with real nginx -t', () => {
  it('swaps a good config in, pre-pulls its images, restarts ShinyProxy and reloads nginx', () => {
    const root = makeRoot();
    const image = 'registry.example/analytics/shiny-demo@sha256:' + 'b'.repeat(64);
    const res = apply(root, nginxSnippet(root.dir, 'new'), applicationYml('new', image));
    expect(res.out).toContain('RESULT: applied');
    expect(res.code).toBe(0);
    expect(readFileSync(root.nginxTarget, 'utf8')).toContain('# new');
    expect(readFileSync(root.appTarget, 'utf8')).toContain('title: new');
    // One pull per distinct image, before the restart; health checked before nginx reloads.
    expect(root.calls()).toEqual(['pull', image, 'restart-shinyproxy', 'healthcheck', 'reload-nginx']);
    expect(root.status().result).toBe('applied');
  });

  it('re-applying the live config is a no-op that does not restart ShinyProxy', () => {
    const root = makeRoot();
    const res = apply(root, readFileSync(root.nginxTarget, 'utf8'), readFileSync(root.appTarget, 'utf8'));
    expect(res.out).toContain('RESULT: unchanged');
    expect(res.code).toBe(0);
    expect(root.calls()).not.toContain('restart-shinyproxy');
    expect(root.status().result).toBe('unchanged');
  });

  it('a bad nginx snippet is rejected by nginx -t and the previous snippet stays, exit 1 with nginx\'s reason', () => {
    const root = makeRoot();
    const before = readFileSync(root.nginxTarget, 'utf8');
    const res = apply(root, nginxSnippet(root.dir, 'bad', '  proxy_read_timeout_typo 10s;'), applicationYml('new'));
    expect(res.code).toBe(1);
    expect(res.out).toContain('RESULT: rejected: nginx -t rejected the new nginx/shinyproxy.conf');
    expect(res.out).toContain('unknown directive "proxy_read_timeout_typo"');
    expect(readFileSync(root.nginxTarget, 'utf8')).toBe(before);
    expect(readFileSync(root.appTarget, 'utf8')).toContain('title: old');
    expect(root.calls()).not.toContain('restart-shinyproxy');
    expect(root.calls()).not.toContain('reload-nginx');
    expect(root.status()).toMatchObject({ result: 'rejected' });
    expect(root.status().reason).toContain('unknown directive');
  });

  it('a YAML syntax error is rejected before anything is touched, naming the line', () => {
    const root = makeRoot();
    const res = apply(root, nginxSnippet(root.dir, 'new'), 'proxy:\n  title: x\n  specs: [\n');
    expect(res.code).toBe(1);
    expect(res.out).toMatch(/RESULT: rejected: the new application.yml is not usable: application.yml is not valid YAML at line \d+/);
    expect(readFileSync(root.nginxTarget, 'utf8')).toContain('# old');
    expect(readFileSync(root.appTarget, 'utf8')).toContain('title: old');
    expect(root.calls()).toEqual([]);
  });

  it('YAML that is not a ShinyProxy config is rejected too', () => {
    const root = makeRoot();
    const res = apply(root, nginxSnippet(root.dir, 'new'), 'server:\n  port: 8080\n');
    expect(res.code).toBe(1);
    expect(res.out).toContain("no 'proxy:' section");
    expect(readFileSync(root.appTarget, 'utf8')).toContain('title: old');
  });

  it('a failing health check puts both previous files back and restarts ShinyProxy with them', () => {
    const root = makeRoot();
    const res = apply(root, nginxSnippet(root.dir, 'new'), applicationYml('unhealthy'));
    expect(res.code).toBe(1);
    expect(res.out).toContain('RESULT: rejected: ShinyProxy did not answer on 127.0.0.1:8080 with the new application.yml');
    expect(readFileSync(root.nginxTarget, 'utf8')).toContain('# old');
    expect(readFileSync(root.appTarget, 'utf8')).toContain('title: old');
    expect(root.calls().filter((c) => c === 'restart-shinyproxy')).toHaveLength(2);
    expect(root.calls()).not.toContain('reload-nginx');
    expect(root.status().result).toBe('rejected');
  });

  it('an image that cannot be pulled rejects the config without changing anything', () => {
    const root = makeRoot();
    const res = apply(root, nginxSnippet(root.dir, 'new'), applicationYml('new'), {
      SHINYKIT_PULL: 'echo "no basic auth credentials" >&2; false',
    });
    expect(res.code).toBe(1);
    expect(res.out).toContain('RESULT: rejected: could not pull registry.example/analytics/shiny-demo@sha256:');
    expect(res.out).toContain('no basic auth credentials');
    expect(readFileSync(root.appTarget, 'utf8')).toContain('title: old');
  });

  it('a first apply on a host without previous files installs them, and a rejected one removes them again', () => {
    const root = makeRoot();
    execFileSync('rm', [root.nginxTarget, root.appTarget]);
    const bad = apply(root, nginxSnippet(root.dir, 'new'), applicationYml('unhealthy'));
    expect(bad.code).toBe(1);
    expect(existsSync(root.appTarget)).toBe(false);
    expect(existsSync(root.nginxTarget)).toBe(false);
    const good = apply(root, nginxSnippet(root.dir, 'new'), applicationYml('new'));
    expect(good.code).toBe(0);
    expect(readFileSync(root.appTarget, 'utf8')).toContain('title: new');
  });

  it('bad usage exits 2', () => {
    const root = makeRoot();
    const res = spawnSync('bash', [SCRIPT, '--nginx'], { encoding: 'utf8', env: { ...process.env, SHINYKIT_ROOT: root.dir } });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('usage:');
  });
});
