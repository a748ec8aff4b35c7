/**
 * A real Docker registry (Debian's docker-registry, distribution 2.8) on
 * 127.0.0.1 with htpasswd auth, for push tests and the push bench. The
 * password is whatever the test says: normally the ECR token moto returns.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './ports.js';
import { stopProcess } from './process.js';

export interface TestRegistry {
  /** 127.0.0.1:<port> */
  readonly host: string;
  /** http://127.0.0.1:<port>: the form `--registry` takes for plain HTTP. */
  readonly url: string;
  /** Restarts the registry with a new password for user AWS. */
  restartWithPassword(password: string): Promise<void>;
  /** GET a manifest (all manifest types accepted); undefined on 404. */
  manifest(repo: string, ref: string): Promise<{ digest: string; body: Record<string, unknown> } | undefined>;
  /** GET a blob as JSON (image config). */
  blobJson(repo: string, digest: string): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

const ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

export async function startRegistry(password: string): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'shinykit-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  mkdirSync(join(dir, 'data'));
  writeFileSync(
    join(dir, 'config.yml'),
    [
      'version: 0.1',
      'log: { level: error }',
      `storage: { filesystem: { rootdirectory: ${join(dir, 'data')} } }`,
      `http: { addr: "${host}" }`,
      `auth: { htpasswd: { realm: shinykit-test, path: ${join(dir, 'htpasswd')} } }`,
    ].join('\n'),
  );
  let child: ChildProcess | undefined;
  let auth = { user: 'AWS', password };

  const start = async () => {
    // bcrypt, as the registry requires; -B -b -n prints the line instead of writing a file.
    writeFileSync(join(dir, 'htpasswd'), execFileSync('htpasswd', ['-Bbn', 'AWS', auth.password], { encoding: 'utf8' }));
    const proc = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    try {
      await waitFor(async () => (await fetch(`http://${host}/v2/`)).status === 401, `docker-registry on ${host}`, 30_000);
    } catch (err) {
      proc.kill('SIGKILL');
      throw new Error(`docker-registry did not start: ${String(err)}\n${stderr}`);
    }
  };
  const stopChild = async () => {
    if (child) await stopProcess(child);
  };
  const headers = () => ({ Authorization: `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`, Accept: ACCEPT });

  await start();
  return {
    host,
    url: `http://${host}`,
    async restartWithPassword(next) {
      await stopChild();
      auth = { ...auth, password: next };
      await start();
    },
    async manifest(repo, ref) {
      const res = await fetch(`http://${host}/v2/${repo}/manifests/${ref}`, { headers: headers() });
      if (res.status === 404) return undefined;
      if (!res.ok) throw new Error(`registry GET manifest ${repo}:${ref}: HTTP ${res.status}`);
      return { digest: res.headers.get('docker-content-digest') ?? '', body: (await res.json()) as Record<string, unknown> };
    },
    async blobJson(repo, digest) {
      const res = await fetch(`http://${host}/v2/${repo}/blobs/${digest}`, { headers: headers() });
      if (!res.ok) throw new Error(`registry GET blob ${digest}: HTTP ${res.status}`);
      return (await res.json()) as Record<string, unknown>;
    },
    async stop() {
      await stopChild();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A project directory with shinykit.yaml and one tiny FROM-scratch busybox app per id (a git work tree). */
export function createPushProject(opts: { name?: string; apps: readonly string[]; broken?: readonly string[] }): { dir: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), 'shinykit-push-project-'));
  const name = opts.name ?? 'e2e';
  const groups = 'cognito:\n  groups:\n    users: {}\n';
  const apps = opts.apps
    .map((id) => `  - id: ${id}\n    kind: custom\n    port: 8080\n    context: apps/${id}\n    groups: [users]\n    buildArgs: { GREETING: hello-${id} }\n`)
    .join('');
  writeFileSync(join(dir, 'shinykit.yaml'), `name: ${name}\nregion: eu-west-1\ntls: { email: ops@example.org }\n${groups}apps:\n${apps}`);
  for (const id of opts.apps) {
    const ctx = join(dir, 'apps', id);
    mkdirSync(ctx, { recursive: true });
    // busybox-static: a self-contained binary, so the image needs no base image and no network.
    copyFileSync('/bin/busybox', join(ctx, 'busybox'));
    writeFileSync(join(ctx, 'index.html'), `<h1>${id}</h1>\n`);
    writeFileSync(join(ctx, '.dockerignore'), '*.log\n');
    const broken = opts.broken?.includes(id);
    writeFileSync(
      join(ctx, 'Dockerfile'),
      [
        'FROM scratch',
        'ARG GREETING',
        'COPY busybox /bin/busybox',
        'COPY index.html /www/index.html',
        // A RUN step proves the chroot isolation works; the broken app fails here.
        broken ? 'RUN ["/bin/busybox", "sh", "-c", "echo shinykit-test-build-error >&2; exit 3"]' : 'RUN ["/bin/busybox", "mkdir", "-p", "/tmp"]',
        'CMD ["/bin/busybox", "httpd", "-f", "-p", "8080", "-h", "/www"]',
        '',
      ].join('\n'),
    );
  }
  const git = (...args: string[]) => execFileSync('git', ['-C', dir, ...args], { stdio: 'ignore' });
  git('init', '-q');
  git('add', '.');
  git('-c', 'user.name=test', '-c', 'user.email=test@example.org', 'commit', '-q', '-m', 'apps');
  return { dir, config: join(dir, 'shinykit.yaml') };
}

/** Environment for podman on this machine: vfs storage and chroot isolation in a private storage root. */
export function podmanTestEnv(root: string): Record<string, string> {
  return {
    SHINYKIT_PODMAN_STORAGE_DRIVER: 'vfs',
    SHINYKIT_PODMAN_ROOT: join(root, 'storage'),
    SHINYKIT_PODMAN_RUNROOT: join(root, 'run'),
    SHINYKIT_PODMAN_ISOLATION: 'chroot',
  };
}
