/**
 * The host's upkeep scripts run for real against temporary roots: container isolation
 * (daemon.json), swap and ShinyProxy's heap, orphan cleanup, the apply lock, log rotation with
 * the real logrotate, image pruning that keeps the rollback image, status JSON within 4 KB, and
 * the host status report. Docker and systemctl cannot run here: they are small recording
 * scripts on PATH standing in for them (each test says what it records).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostAssetsDir } from '../../lib/host-bootstrap.js';

const HOST = hostAssetsDir();
const tmp = (p: string) => mkdtempSync(join(tmpdir(), `shinykit-${p}-`));
function stub(dir: string, name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/bash\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

describe('container isolation', () => {
  it('daemon.json turns inter-container traffic off and keeps published ports on 127.0.0.1, logs capped', () => {
    const d = JSON.parse(readFileSync(join(HOST, 'docker/daemon.json'), 'utf8'));
    expect(d).toMatchObject({ icc: false, ip: '127.0.0.1', 'log-driver': 'json-file', 'log-opts': { 'max-size': '10m', 'max-file': '3' } });
    expect(d.hosts).toBeUndefined();
    expect(readFileSync(join(HOST, 'shinykit-bootstrap.sh'), 'utf8')).toContain('install -m 0644 "$share/daemon.json" /etc/docker/daemon.json');
  });
});

describe('shinykit-memory', () => {
  it('on a 2 GiB host: a 1.9 GiB swap file, swappiness 10, and ShinyProxy\'s heap capped at 256 MiB with exit on OOM', () => {
    const root = tmp('mem');
    const meminfo = join(root, 'meminfo');
    writeFileSync(meminfo, 'MemTotal:        1995000 kB\nMemFree:          100000 kB\n');
    const calls = join(root, 'calls');
    const run = () =>
      spawnSync('bash', [join(HOST, 'shinykit-memory.sh')], {
        encoding: 'utf8',
        env: { ...process.env, SHINYKIT_ROOT: root, SHINYKIT_MEMINFO: meminfo, SHINYKIT_SWAP_ON: `echo swapon >> ${calls}; echo` },
      });
    const res = run();
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(readFileSync(join(root, 'etc/shinyproxy/jvm.env'), 'utf8')).toBe(
      'SHINYKIT_JAVA_OPTS=-Xms64m -Xmx256m -XX:MaxMetaspaceSize=192m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError\n',
    );
    expect(readFileSync(join(root, 'etc/fstab'), 'utf8')).toBe('/swapfile none swap sw 0 0\n');
    expect(readFileSync(join(root, 'etc/sysctl.d/90-shinykit.conf'), 'utf8')).toContain('vm.swappiness = 10');
    expect(readFileSync(join(root, 'swapfile')).length).toBe(1948 * 1024 * 1024);
    // Again: nothing doubles (one fstab line, swap set up once).
    expect(run().status).toBe(0);
    expect(readFileSync(join(root, 'etc/fstab'), 'utf8')).toBe('/swapfile none swap sw 0 0\n');
    expect(readFileSync(calls, 'utf8').trim().split('\n')).toHaveLength(1);
    // The unit passes the options to java.
    expect(readFileSync(join(HOST, 'systemd/shinyproxy.service'), 'utf8')).toContain('ExecStart=/usr/bin/java $SHINYKIT_JAVA_OPTS -jar');
  });
});

describe('shinykit-orphans', () => {
  it('removes every container carrying ShinyProxy\'s proxy-id label, and never fails the start', () => {
    const dir = tmp('orph');
    const log = join(dir, 'docker.log');
    const docker = stub(dir, 'docker', `echo "$*" >> ${log}; case "$1" in ps) printf 'c1\\nc2\\n' ;; esac`);
    const res = spawnSync('bash', [join(HOST, 'shinykit-orphans.sh')], { encoding: 'utf8', env: { ...process.env, SHINYKIT_DOCKER: docker } });
    expect(res.status).toBe(0);
    expect(res.stdout).toContain('removing 2 app container(s)');
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual(['ps -aq --filter label=openanalytics.eu/sp-proxy-id', 'rm -f c1 c2']);
    const broken = stub(dir, 'docker-down', 'echo "Cannot connect to the Docker daemon" >&2; exit 1');
    const down = spawnSync('bash', [join(HOST, 'shinykit-orphans.sh')], { encoding: 'utf8', env: { ...process.env, SHINYKIT_DOCKER: broken } });
    expect(down.status).toBe(0);
    expect(down.stderr).toContain('could not list containers');
    expect(readFileSync(join(HOST, 'systemd/shinyproxy.service'), 'utf8')).toContain('ExecStartPre=+/usr/local/sbin/shinykit-orphans');
  });
});

describe('shinykit-lock', () => {
  it('runs the command under the apply lock, and refuses (75) while an apply holds it', () => {
    const root = tmp('lock');
    const ok = spawnSync('bash', [join(HOST, 'shinykit-lock.sh'), 'echo', 'reloaded'], { encoding: 'utf8', env: { ...process.env, SHINYKIT_ROOT: root } });
    expect(ok.stdout).toBe('reloaded\n');
    const lock = join(root, 'var/lib/shinykit/apply.lock');
    // Another process holds the lock (as shinykit-apply does), then try with a 1 s wait.
    const held = spawnSync('bash', ['-c', `exec 7>${lock}; flock 7; SHINYKIT_ROOT=${root} bash ${join(HOST, 'shinykit-lock.sh')} -w 1 echo reloaded`], { encoding: 'utf8' });
    expect(held.status).toBe(75);
    expect(held.stdout).toBe('');
    expect(held.stderr).toContain('the apply lock was not free within 1 s');
  });
});

describe('log rotation (real logrotate)', () => {
  it('rotates ShinyProxy\'s log in place (copytruncate) once it passes maxsize, keeping the writer\'s path', () => {
    const root = tmp('rot');
    mkdirSync(join(root, 'var/log/shinyproxy/containers'), { recursive: true });
    const log = join(root, 'var/log/shinyproxy/shinyproxy.log');
    writeFileSync(log, 'x'.repeat(60 * 1024 * 1024));
    const conf = join(root, 'logrotate.conf');
    writeFileSync(conf, readFileSync(join(HOST, 'logrotate/shinykit'), 'utf8').replaceAll('/var/log/', `${root}/var/log/`));
    const res = spawnSync('logrotate', ['-s', join(root, 'state'), conf], { encoding: 'utf8' });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(readFileSync(log).length).toBe(0);
    expect(readdirSync(join(root, 'var/log/shinyproxy'))).toContain('shinyproxy.log.1');
  });

  it('nginx\'s rule reopens logs with USR1 and the tmpfiles rule ages out app logs after 14 days', () => {
    expect(readFileSync(join(HOST, 'logrotate/nginx'), 'utf8')).toMatch(/kill -USR1/);
    expect(readFileSync(join(HOST, 'tmpfiles/shinykit.conf'), 'utf8')).toContain('e /var/log/shinyproxy/containers - - - 14d');
  });
});

describe('image pruning keeps what the live and the previous config name', () => {
  it('removes only other images of the apps\' repositories', () => {
    const dir = tmp('prune');
    const repo = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/analytics/shiny-demo';
    const app = (d: string) => `proxy:\n  specs:\n    - id: shiny-demo\n      container-image: ${repo}@sha256:${d.repeat(64)}\n`;
    writeFileSync(join(dir, 'live.yml'), app('b'));
    writeFileSync(join(dir, 'previous.yml'), app('a'));
    writeFileSync(
      join(dir, 'images'),
      [
        `idA ${repo} <none> sha256:${'a'.repeat(64)}`,
        `idB ${repo} <none> sha256:${'b'.repeat(64)}`,
        `idC ${repo} <none> sha256:${'c'.repeat(64)}`,
        `idX docker.io/library/postgres 16 sha256:${'d'.repeat(64)}`,
      ].join('\n'),
    );
    const res = spawnSync('python3', [join(HOST, 'shinykit-config.py'), 'prune', join(dir, 'images'), join(dir, 'live.yml'), join(dir, 'previous.yml')], { encoding: 'utf8' });
    expect(res.stderr).toBe('');
    expect(res.stdout).toBe('idC\n');
  });
});

describe('apply status JSON', () => {
  it('is encoded by json.dumps (quotes, newlines, backslashes) and cut to 4096 bytes after encoding', () => {
    const dir = tmp('status');
    const out = join(dir, 'last-apply.json');
    const reason = `nginx said "no"\n\\path\t${'é"'.repeat(3000)}`;
    const res = spawnSync('python3', [join(HOST, 'shinykit-config.py'), 'apply-status', out, 'rejected', reason, '/nonexistent', '/nonexistent'], { encoding: 'utf8' });
    expect(res.status).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(Buffer.byteLength(text.trim(), 'utf8')).toBeLessThanOrEqual(4096);
    const doc = JSON.parse(text);
    expect(doc.result).toBe('rejected');
    expect(doc.reason.startsWith('nginx said "no"\n\\path\t')).toBe(true);
    expect(doc.reason.endsWith(' [truncated]')).toBe(true);
  });

  it('a config set older than the applied one is recognised, so a reboot keeps the newer config', () => {
    const dir = tmp('older');
    writeFileSync(join(dir, 'applied.json'), JSON.stringify({ config: { id: 'new', createdAt: '2026-12-02T10:00:00.000Z' } }));
    writeFileSync(join(dir, 'old.json'), JSON.stringify({ id: 'old', createdAt: '2026-12-01T10:00:00.000Z' }));
    writeFileSync(join(dir, 'newer.json'), JSON.stringify({ id: 'newer', createdAt: '2026-12-03T10:00:00.000Z' }));
    const older = (m: string) => spawnSync('python3', [join(HOST, 'shinykit-config.py'), 'is-older', join(dir, m), join(dir, 'applied.json')]).status;
    expect(older('old.json')).toBe(0);
    expect(older('newer.json')).toBe(1);
  });
});

describe('shinykit-status (host side of `shinykit status`)', () => {
  it('reports memory, swap, disk, services, the live config and sessions per app and user from Docker labels', () => {
    const root = tmp('hoststatus');
    const proc = join(root, 'proc');
    mkdirSync(proc);
    writeFileSync(join(proc, 'meminfo'), 'MemTotal: 1995000 kB\nMemAvailable: 800000 kB\nSwapTotal: 1994752 kB\nSwapFree: 1894752 kB\n');
    writeFileSync(join(proc, 'uptime'), '93784.12 100.0\n');
    mkdirSync(join(root, 'etc/shinyproxy'), { recursive: true });
    writeFileSync(join(root, 'etc/shinyproxy/application.yml'), 'proxy:\n  container-backend: docker\n  specs:\n    - id: shiny-demo\n      container-image: reg/analytics/shiny-demo@sha256:' + 'a'.repeat(64) + '\n');
    mkdirSync(join(root, 'var/lib/shinykit'), { recursive: true });
    writeFileSync(join(root, 'var/lib/shinykit/applied.json'), JSON.stringify({ result: 'applied', time: '2026-12-02T10:00:00Z', config: { id: 'abc123', createdAt: '2026-12-02T09:59:00Z', createdBy: 'arn:aws:iam::123456789012:user/ana' } }));
    const docker = stub(root, 'docker', [
      'case "$1" in',
      `  image) echo "reg/analytics/shiny-demo <none> sha256:${'a'.repeat(64)}" ;;`,
      '  ps) printf "shiny-demo\\tana@example.org\\tp1\\t2026-12-02\\nshiny-demo\\tbob@example.org\\tp2\\t2026-12-02\\nshiny-demo\\tbob@example.org\\tp2\\t2026-12-02\\n" ;;',
      'esac',
    ].join('\n'));
    const systemctl = stub(root, 'systemctl', 'echo active');
    const res = spawnSync('python3', [join(HOST, 'shinykit-status.py')], {
      encoding: 'utf8',
      env: { ...process.env, SHINYKIT_ROOT: root, SHINYKIT_PROC: proc, SHINYKIT_DOCKER: docker, SHINYKIT_SYSTEMCTL: systemctl, SHINYKIT_ENV_FILE: join(root, 'none') },
    });
    expect(res.stderr).toBe('');
    const doc = JSON.parse(res.stdout);
    expect(doc.host.memory).toEqual({ totalMiB: 1948, availableMiB: 781 });
    expect(doc.host.swap).toEqual({ totalMiB: 1948, usedMiB: 98 });
    expect(doc.host.uptimeSeconds).toBe(93784);
    expect(doc.services).toEqual({ nginx: 'active', shinyproxy: 'active', docker: 'active' });
    expect(doc.config).toMatchObject({ id: 'abc123', createdBy: 'arn:aws:iam::123456789012:user/ana', appliedAt: '2026-12-02T10:00:00Z' });
    expect(doc.images).toEqual([{ app: 'shiny-demo', image: `reg/analytics/shiny-demo@sha256:${'a'.repeat(64)}`, present: true }]);
    // A session with two containers counts once.
    expect(doc.sessionCount).toBe(2);
    expect(doc.sessions.map((s: { user: string }) => s.user)).toEqual(['ana@example.org', 'bob@example.org']);
    expect(existsSync(join(root, 'etc/shinyproxy/application.yml'))).toBe(true);
  });
});

describe('shinykit-shinyproxy-jar: the jar is installed only when its SHA-256 is the pinned one', () => {
  const jarBytes = 'not really a jar, but bytes with a known SHA-256\n';
  const sha = createHash('sha256').update(jarBytes).digest('hex');
  function install(env: Record<string, string>) {
    const dir = tmp('jar');
    // Stands in for the download (no network here): writes the bytes to the -o file.
    const curl = stub(dir, 'curl', `out=; while [ $# -gt 0 ]; do [ "$1" = -o ] && out=$2; shift; done; printf '%s' '${jarBytes}' > "$out"`);
    const target = join(dir, 'shinyproxy-3.2.4.jar');
    const res = spawnSync('bash', [join(HOST, 'shinykit-shinyproxy-jar.sh'), target], {
      encoding: 'utf8',
      env: { ...process.env, SHINYKIT_CURL: curl, SHINYKIT_SHINYPROXY_VERSION: '3.2.4', SHINYKIT_SHINYPROXY_URL: 'https://example.invalid/shinyproxy-3.2.4.jar', ...env },
    });
    return { code: res.status, out: res.stdout + res.stderr, installed: existsSync(target), leftovers: readdirSync(dir).filter((f) => f.startsWith('download.')) };
  }

  it('installs a download that matches', () => {
    const r = install({ SHINYKIT_SHINYPROXY_SHA256: sha });
    expect(r.code).toBe(0);
    expect(r.installed).toBe(true);
    expect(r.out).toContain('matches the pinned checksum');
  });

  it('fails closed on a mismatch, naming both checksums, and leaves nothing behind', () => {
    const r = install({ SHINYKIT_SHINYPROXY_SHA256: 'f'.repeat(64) });
    expect(r.code).toBe(1);
    expect(r.out).toContain(`checksum mismatch: the download from https://example.invalid/shinyproxy-3.2.4.jar has SHA-256 ${sha}, expected ${'f'.repeat(64)}; not installed`);
    expect(r.installed).toBe(false);
    expect(r.leftovers).toEqual([]);
  });

  it('fails closed when no checksum is pinned, unless the config opted out', () => {
    const refused = install({ SHINYKIT_SHINYPROXY_SHA256: '' });
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('no SHA-256 is pinned for this version');
    expect(refused.installed).toBe(false);
    const optedOut = install({ SHINYKIT_SHINYPROXY_SHA256: '', SHINYKIT_SHINYPROXY_ALLOW_UNVERIFIED: 'yes' });
    expect(optedOut.code).toBe(0);
    expect(optedOut.installed).toBe(true);
    expect(optedOut.out).toContain(`installed unverified (shinyproxy.allowUnverifiedDownload); its SHA-256 is ${sha}`);
  });
});
