/**
 * The exact commands push runs. No Docker engine exists on the test machines,
 * so the docker path is proven here with a recording Runner (podman is also
 * run for real in test/e2e/push.test.ts).
 */
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  detectBuilder,
  dockerBuildxArgv,
  openSession,
  podmanBuildArgv,
  podmanLoginArgv,
  podmanPushArgv,
  type BuildJob,
} from '../../../cli/push/builders.js';
import { ExecError, type RunOptions, type Runner } from '../../../cli/lib/exec.js';

const TOKEN = 'eyJwYXlsb2FkIjoic2VjcmV0LXRva2VuLXZhbHVlIn0';
const creds = { username: 'AWS', password: TOKEN };
const DIGEST = `sha256:${'a'.repeat(64)}`;

const job: BuildJob = {
  appId: 'shiny-demo',
  contextDir: '/src/apps/shiny',
  dockerfile: '/src/apps/shiny/Dockerfile',
  platform: 'linux/arm64',
  image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/analytics/shiny-demo:sk-0123456789abcdef01234567',
  buildArgs: { R_VERSION: '4.4.1', A: 'x' },
  labels: { 'org.opencontainers.image.revision': 'f'.repeat(40) },
};

interface Call {
  cmd: string;
  args: readonly string[];
  opts: RunOptions;
}

/** Records every call; answers like the real tools would (metadata/digest files, push output). */
function recorder(fail?: (c: Call) => ExecError | undefined): { runner: Runner; calls: Call[] } {
  const calls: Call[] = [];
  const runner: Runner = async (cmd, args, opts = {}) => {
    const call = { cmd, args, opts };
    calls.push(call);
    const err = fail?.(call);
    if (err) throw err;
    const after = (flag: string) => args[args.indexOf(flag) + 1]!;
    if (args.includes('--metadata-file')) writeFileSync(after('--metadata-file'), JSON.stringify({ 'containerimage.digest': DIGEST }));
    if (args.includes('--digestfile')) writeFileSync(after('--digestfile'), DIGEST);
    if (cmd === 'docker' && args[0] === 'push') return { stdout: `sk-0123: digest: ${DIGEST} size: 528`, stderr: '' };
    return { stdout: '', stderr: '' };
  };
  return { runner, calls };
}

const everyArg = (calls: Call[]) => calls.flatMap((c) => [c.cmd, ...c.args]).join(' ');

describe('docker builder (recorded argv; no engine here)', () => {
  it('buildx: logs in with the token on stdin into a private DOCKER_CONFIG, builds for the platform and pushes', async () => {
    const userDir = mkdtempSync(join(tmpdir(), 'shinykit-userdocker-'));
    writeFileSync(
      join(userDir, 'config.json'),
      JSON.stringify({ auths: { 'x.io': { auth: 'dXNlcjpwYXNz' } }, credsStore: 'desktop', currentContext: 'colima' }),
    );
    mkdirSync(join(userDir, 'cli-plugins'));
    const { runner, calls } = recorder();
    const session = await openSession({ runner, env: { DOCKER_CONFIG: userDir } }, { name: 'docker', buildx: true }, {
      host: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
      credentials: creds,
      insecure: false,
    });
    const privateDir = calls[0]!.opts.env!.DOCKER_CONFIG!;
    expect(privateDir).not.toBe(userDir);
    // Only non-credential settings survive into the private config; plugins stay reachable.
    expect(JSON.parse(readFileSync(join(privateDir, 'config.json'), 'utf8'))).toEqual({ currentContext: 'colima' });
    expect(lstatSync(join(privateDir, 'cli-plugins')).isSymbolicLink()).toBe(true);

    const out = await session.buildAndPush(job);
    expect(out.digest).toBe(DIGEST);
    await session.dispose();
    expect(existsSync(privateDir)).toBe(false);
    // The user's own config is untouched.
    expect(JSON.parse(readFileSync(join(userDir, 'config.json'), 'utf8')).auths).toEqual({ 'x.io': { auth: 'dXNlcjpwYXNz' } });
    rmSync(userDir, { recursive: true, force: true });

    expect(calls.map((c) => [c.cmd, ...c.args])).toEqual([
      ['docker', 'login', '--username', 'AWS', '--password-stdin', '123456789012.dkr.ecr.eu-west-1.amazonaws.com'],
      [
        'docker', 'buildx', 'build', '--progress=plain',
        '--platform', 'linux/arm64',
        '--file', '/src/apps/shiny/Dockerfile',
        '--tag', job.image,
        '--label', `org.opencontainers.image.revision=${'f'.repeat(40)}`,
        '--build-arg', 'A=x',
        '--build-arg', 'R_VERSION=4.4.1',
        '--provenance=false',
        '--metadata-file', join(privateDir, 'shiny-demo.metadata.json'),
        '--push',
        '/src/apps/shiny',
      ],
    ]);
    expect(calls[0]!.opts.input).toBe(TOKEN);
    for (const c of calls) {
      expect(c.opts.env?.DOCKER_CONFIG).toBe(privateDir);
      expect(c.opts.secrets).toContain(TOKEN);
    }
    expect(everyArg(calls)).not.toContain(TOKEN);
  });

  it('buildx to a plain-HTTP registry uses an insecure image output instead of --push', () => {
    const argv = dockerBuildxArgv({ ...job, image: '127.0.0.1:5000/analytics/shiny-demo:sk-1' }, { metadataFile: '/tmp/m.json', insecure: true });
    expect(argv).not.toContain('--push');
    expect(argv).toContain('type=image,name=127.0.0.1:5000/analytics/shiny-demo:sk-1,push=true,registry.insecure=true');
  });

  it('without buildx: classic build then push, digest parsed from the push output', async () => {
    const { runner, calls } = recorder();
    const session = await openSession({ runner, env: { DOCKER_CONFIG: '/nonexistent' } }, { name: 'docker', buildx: false }, {
      host: 'registry.example.org',
      credentials: creds,
      insecure: false,
    });
    expect((await session.buildAndPush(job)).digest).toBe(DIGEST);
    await session.dispose();
    expect(calls.slice(1).map((c) => [c.cmd, ...c.args])).toEqual([
      [
        'docker', 'build', '--platform', 'linux/arm64', '--file', '/src/apps/shiny/Dockerfile', '--tag', job.image,
        '--label', `org.opencontainers.image.revision=${'f'.repeat(40)}`, '--build-arg', 'A=x', '--build-arg', 'R_VERSION=4.4.1',
        '/src/apps/shiny',
      ],
      ['docker', 'push', job.image],
    ]);
    expect(everyArg(calls)).not.toContain(TOKEN);
  });

  it('a failed login is classified as an auth failure and the private config is still removed', async () => {
    let dir = '';
    const { runner } = recorder((c) => {
      dir = c.opts.env?.DOCKER_CONFIG ?? '';
      return new ExecError('docker login failed (exit code 1)', [`Error response from daemon: Get "https://x/v2/": unauthorized: incorrect username or password ${TOKEN}`]);
    });
    await expect(
      openSession({ runner, env: {} }, { name: 'docker', buildx: true }, { host: 'x', credentials: creds, insecure: false }),
    ).rejects.toThrow(/x rejected the login or the push \(authentication failed\)/);
    expect(existsSync(dir)).toBe(false);
  });
});

describe('podman builder argv', () => {
  const s = { storageDriver: 'vfs', root: '/r', runroot: '/rr', isolation: 'chroot' };

  it('puts storage flags before the subcommand and isolation on build', () => {
    expect(podmanBuildArgv(s, job, '/tmp/a/auth.json')).toEqual([
      '--storage-driver', 'vfs', '--root', '/r', '--runroot', '/rr',
      'build', '--platform', 'linux/arm64', '--file', '/src/apps/shiny/Dockerfile', '--tag', job.image,
      '--label', `org.opencontainers.image.revision=${'f'.repeat(40)}`, '--build-arg', 'A=x', '--build-arg', 'R_VERSION=4.4.1',
      '--isolation', 'chroot', '--authfile', '/tmp/a/auth.json', '/src/apps/shiny',
    ]);
    expect(podmanBuildArgv({}, job, '/a.json').slice(0, 1)).toEqual(['build']);
  });

  it('login takes the password on stdin; push writes a digest file; --tls-verify=false only for http registries', () => {
    expect(podmanLoginArgv({}, 'r.io', 'AWS', '/a.json', false)).toEqual(['login', '--authfile', '/a.json', '--username', 'AWS', '--password-stdin', 'r.io']);
    expect(podmanLoginArgv({}, '127.0.0.1:5000', 'AWS', '/a.json', true)).toContain('--tls-verify=false');
    expect(podmanPushArgv({ storageDriver: 'vfs' }, job.image, '/a.json', '/d', true)).toEqual([
      '--storage-driver', 'vfs', 'push', '--authfile', '/a.json', '--tls-verify=false', '--digestfile', '/d', job.image,
    ]);
    expect(podmanPushArgv({}, job.image, '/a.json', '/d', false)).not.toContain('--tls-verify=false');
  });

  it('a session sends the token only on stdin and uses a private auth file', async () => {
    const { runner, calls } = recorder();
    const sigintListeners = process.listenerCount('SIGINT');
    const session = await openSession(
      { runner, env: { SHINYKIT_PODMAN_STORAGE_DRIVER: 'vfs', SHINYKIT_PODMAN_ISOLATION: 'chroot' } },
      { name: 'podman', buildx: false },
      { host: '127.0.0.1:5000', credentials: creds, insecure: true },
    );
    expect((await session.buildAndPush(job)).digest).toBe(DIGEST);
    await session.dispose();
    expect(calls.map((c) => c.args.find((a) => ['login', 'build', 'push'].includes(a)))).toEqual(['login', 'build', 'push']);
    const authfile = calls[0]!.args[calls[0]!.args.indexOf('--authfile') + 1]!;
    expect(authfile).toMatch(/shinykit-push-.*\/auth\.json$/);
    expect(calls.every((c) => c.opts.env?.REGISTRY_AUTH_FILE === authfile)).toBe(true);
    expect(calls[0]!.opts.input).toBe(TOKEN);
    expect(calls.slice(1).every((c) => c.opts.input === undefined)).toBe(true);
    expect(everyArg(calls)).not.toContain(TOKEN);
    expect(existsSync(authfile)).toBe(false);
    // The Ctrl-C cleanup handler is gone with the session.
    expect(process.listenerCount('SIGINT')).toBe(sigintListeners);
  });
});

describe('builder detection', () => {
  const notInstalled = (cmd: string) => new ExecError(`${cmd} is not installed or not on PATH`, []);
  const daemonDown = new ExecError('docker version failed (exit code 1)', [
    'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
  ]);

  it('prefers docker when its engine answers, and notes whether buildx is there', async () => {
    const { runner, calls } = recorder((c) => (c.args[0] === 'buildx' ? notInstalled('docker') : undefined));
    await expect(detectBuilder({ runner, env: {} })).resolves.toEqual({ name: 'docker', buildx: false });
    expect(calls.map((c) => c.cmd)).toEqual(['docker', 'docker']);
  });

  it('falls back to podman when the docker engine is down', async () => {
    const { runner } = recorder((c) => (c.cmd === 'docker' ? daemonDown : undefined));
    await expect(detectBuilder({ runner, env: {} })).resolves.toEqual({ name: 'podman', buildx: false });
  });

  it('says so when neither is installed', async () => {
    const { runner } = recorder((c) => notInstalled(c.cmd));
    await expect(detectBuilder({ runner, env: {} })).rejects.toThrow('neither docker nor podman is installed');
  });

  it('names the engine that is down when the other builder is missing', async () => {
    const { runner } = recorder((c) => (c.cmd === 'docker' ? daemonDown : notInstalled('podman')));
    await expect(detectBuilder({ runner, env: {} })).rejects.toThrow(
      'no image builder is usable: docker is installed but its engine is not running; podman is not installed or not on PATH',
    );
  });

  it('with --builder docker, only docker is tried and its failure is reported', async () => {
    const { runner, calls } = recorder(() => daemonDown);
    await expect(detectBuilder({ runner, env: {} }, 'docker')).rejects.toThrow('docker is installed but its engine is not running');
    expect(calls.every((c) => c.cmd === 'docker')).toBe(true);
  });
});
