/**
 * `shinykit push` end to end with real parts: the built CLI as a child
 * process, moto_server for ECR's GetAuthorizationToken, podman (vfs storage,
 * chroot isolation) building FROM-scratch busybox images, and a real
 * docker-registry with htpasswd auth whose password is moto's ECR token.
 * --registry points the push at that registry; --no-apply skips the rollout.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { startMoto, TEST_REGION, type Moto } from '../support/moto.js';
import { createPushProject, podmanTestEnv, startRegistry, type TestRegistry } from '../support/push-registry.js';

interface Summary {
  apps: { id: string; tag: string; digest: string | null; image: string | null; built: boolean; pushed: boolean; status: string; error?: string }[];
}

let moto: Moto;
let registry: TestRegistry;
let token: string;
let storage: string;
let project: { dir: string; config: string };

beforeAll(async () => {
  moto = await startMoto();
  const ecr = new ECRClient({ endpoint: moto.url, region: TEST_REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  const res = await ecr.send(new GetAuthorizationTokenCommand({}));
  token = Buffer.from(res.authorizationData![0]!.authorizationToken!, 'base64').toString().split(':')[1]!;
  registry = await startRegistry(token);
  storage = mkdtempSync(join(tmpdir(), 'shinykit-podman-'));
  project = createPushProject({ apps: ['hello', 'world', 'broken'], broken: ['broken'] });
});

afterAll(async () => {
  await registry?.stop();
  await moto?.stop();
  for (const d of [storage, project?.dir]) if (d) rmSync(d, { recursive: true, force: true });
});

const push = (args: string[], env: Record<string, string> = {}) =>
  runCli(['--config', project.config, 'push', '--registry', registry.url, '--no-apply', ...args], {
    env: { ...moto.env, ...podmanTestEnv(storage), ...env },
    timeoutMs: 300_000,
  });

const summary = (stdout: string) => JSON.parse(stdout) as Summary;

describe('shinykit push (podman + local registry + moto ECR token)', () => {
  it('builds and pushes the named apps; the registry serves the manifest with the git revision label', async () => {
    const res = await push(['hello', 'world', '--json', '--builder', 'podman']);
    expect(res.stderr).not.toContain(token);
    expect(res.exitCode, res.stderr).toBe(0);
    const apps = summary(res.stdout).apps;
    expect(apps.map((a) => [a.id, a.status, a.built, a.pushed])).toEqual([
      ['hello', 'pushed', true, true],
      ['world', 'pushed', true, true],
    ]);
    const hello = apps[0]!;
    expect(hello.tag).toMatch(/^sk-[0-9a-f]{24}$/);
    expect(hello.image).toBe(`${registry.host}/e2e/hello@${hello.digest}`);

    const manifest = await registry.manifest('e2e/hello', hello.tag);
    expect(manifest?.digest).toBe(hello.digest);
    const configDigest = (manifest!.body.config as { digest: string }).digest;
    const imageConfig = (await registry.blobJson('e2e/hello', configDigest)) as { architecture: string; config: { Labels: Record<string, string> } };
    const head = execFileSync('git', ['-C', project.dir, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    expect(imageConfig.config.Labels['org.opencontainers.image.revision']).toBe(head);
    expect(imageConfig.architecture).toBe('amd64');

    // render finds the digests here.
    const state = JSON.parse(readFileSync(join(project.dir, '.shinykit', 'images.json'), 'utf8'));
    expect(state.hello).toMatchObject({ repository: `${registry.host}/e2e/hello`, tag: hello.tag, digest: hello.digest });
    expect(state.world.digest).toBe(apps[1]!.digest);
  });

  it('a second run with nothing changed builds and pushes nothing (no builder is even started)', async () => {
    // --builder docker: there is no Docker engine here, so any build attempt would fail the run.
    const res = await push(['hello', 'world', '--json', '--builder', 'docker']);
    expect(res.exitCode, res.stderr).toBe(0);
    const apps = summary(res.stdout).apps;
    expect(apps.map((a) => [a.id, a.status, a.built, a.pushed])).toEqual([
      ['hello', 'skipped', false, false],
      ['world', 'skipped', false, false],
    ]);
    expect(apps[0]!.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('a change in an ignored file rebuilds nothing; a real change rebuilds only that app', async () => {
    writeFileSync(join(project.dir, 'apps', 'hello', 'debug.log'), 'ignored by .dockerignore');
    const same = await push(['hello', '--json', '--builder', 'docker']);
    expect(same.exitCode, same.stderr).toBe(0);
    expect(summary(same.stdout).apps[0]!.status).toBe('skipped');

    writeFileSync(join(project.dir, 'apps', 'hello', 'index.html'), '<h1>hello again</h1>\n');
    const res = await push(['--json', 'hello', 'world']);
    expect(res.exitCode, res.stderr).toBe(0);
    const [hello, world] = summary(res.stdout).apps;
    expect([hello!.status, world!.status]).toEqual(['pushed', 'skipped']);
    expect(await registry.manifest('e2e/hello', hello!.tag)).toBeDefined();
  });

  it('a failing build shows its log tail, does not stop the other apps, and exits 1', async () => {
    writeFileSync(join(project.dir, 'apps', 'world', 'index.html'), '<h1>world 2</h1>\n');
    const res = await push(['--json']);
    expect(res.exitCode).toBe(1);
    const apps = summary(res.stdout).apps;
    expect(apps.map((a) => [a.id, a.status])).toEqual([
      ['hello', 'skipped'],
      ['world', 'pushed'],
      ['broken', 'failed'],
    ]);
    expect(apps[2]!.error).toBe('the podman build failed');
    expect(res.stderr).toContain('broken: the podman build failed');
    expect(res.stderr).toMatch(/\| .*shinykit-test-build-error/);
    expect(res.stderr).toMatch(/full log: .*push-broken\.log/);
    // The working apps are still recorded for render.
    const state = JSON.parse(readFileSync(join(project.dir, '.shinykit', 'images.json'), 'utf8'));
    expect(state.world.digest).toBe(apps[1]!.digest);
    expect(state.broken).toBeUndefined();
  });

  it('plain output: one line per app with its progress and a result line on stdout', async () => {
    const res = await push(['hello']);
    expect(res.exitCode, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/hello\s+skipped\s+[\d.]+s\s+sk-[0-9a-f]{24} is already in the registry/);
    expect(res.stdout).toMatch(new RegExp(`✓ hello  unchanged  ${registry.host}/e2e/hello@sha256:`));
  });

  it('an unknown app id is a usage error (exit 2) before anything runs', async () => {
    const res = await push(['hello', 'nope']);
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain('error: unknown app "nope"');
    expect(res.stderr).toContain('hint: apps in the config: hello, world, broken');
  });

  it('a wrong token (the registry expects another password) fails with a clear message and exit 1', async () => {
    await registry.restartWithPassword('not-the-ecr-token');
    try {
      const res = await push(['hello']);
      expect(res.exitCode).toBe(1);
      expect(res.stderr).toContain(`error: registry ${registry.host} refused the login (HTTP 401)`);
      expect(res.stderr).toContain('hint: the registry must accept the ECR token for user AWS');
      expect(res.stderr).not.toContain(token);
    } finally {
      await registry.restartWithPassword(token);
    }
  });
});
