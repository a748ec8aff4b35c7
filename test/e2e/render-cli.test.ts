/**
 * `shinykit render` end to end: the built CLI as a child process, with a
 * cdk-outputs.json fixture, .shinykit/images.json, and moto_server standing in
 * for ECR (the fallback when no image state exists).
 */
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { CreateRepositoryCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfig } from '../../lib/config/index.js';
import { OutputKeys } from '../../lib/outputs.js';
import { runCli } from '../support/cli.js';
import { startMoto, TEST_REGION, type Moto } from '../support/moto.js';
import { DIGEST_A, DIGEST_B, fixtureOutputs } from '../support/render-fixtures.js';

const CONFIG = `name: analytics
region: eu-west-1
tls: { email: ops@example.org }
cognito:
  groups: { admin_users: {}, shiny_users: {}, dash_users: {} }
shinyproxy: { title: Analytics, adminGroups: [admin_users] }
apps:
  - { id: shiny-demo, kind: shiny, context: apps/shiny, groups: [admin_users, shiny_users], memory: 1g, cpus: 1 }
  - { id: dash-demo, kind: dash, context: apps/dash, groups: [admin_users, dash_users] }
`;
const cfg = parseConfig(CONFIG);
const REPO = (id: string) => fixtureOutputs(cfg)[`Repository${id === 'shiny-demo' ? 'ShinyDemo' : 'DashDemo'}`]!;

/** A project directory: shinykit.yaml, cdk-outputs.json split over the two stacks, optional images.json. */
function project(opts: { drop?: string[]; images?: Record<string, string> | null } = {}): { dir: string; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'shinykit-render-'));
  writeFileSync(join(dir, 'shinykit.yaml'), CONFIG);
  const all = fixtureOutputs(cfg);
  for (const k of opts.drop ?? []) delete all[k];
  const hostKeys = new Set<string>([OutputKeys.HostInstanceId, 'ConfigParameterPrefix', 'HostLogGroupName']);
  const data = Object.fromEntries(Object.entries(all).filter(([k]) => !hostKeys.has(k)));
  const host = Object.fromEntries(Object.entries(all).filter(([k]) => hostKeys.has(k)));
  writeFileSync(join(dir, 'cdk-outputs.json'), JSON.stringify({ 'analytics-data': data, 'analytics-host': host }, null, 2));
  const images = opts.images === undefined ? { 'shiny-demo': DIGEST_A, 'dash-demo': DIGEST_B } : opts.images;
  if (images) {
    mkdirSync(join(dir, '.shinykit'));
    const state = Object.fromEntries(
      Object.entries(images).map(([id, digest]) => [id, { repository: REPO(id), tag: 'c0ffee', digest, pushedAt: '2026-01-01T00:00:00.000Z' }]),
    );
    writeFileSync(join(dir, '.shinykit', 'images.json'), JSON.stringify(state, null, 2));
  }
  return { dir, out: join(dir, 'rendered') };
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

const dirs: string[] = [];
const tracked = <T extends { dir: string }>(p: T): T => (dirs.push(p.dir), p);
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Keep the CLI away from any real AWS account in tests that must not call it. */
const OFFLINE_ENV = { AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };

describe('shinykit render with cdk-outputs.json and images.json (built CLI)', () => {
  it('writes exactly the two files, exit 0, and byte-identical files on a second run', async () => {
    const { dir, out } = tracked(project());
    const first = await runCli(['render', '--out', out], { cwd: dir, env: OFFLINE_ENV });
    expect(first.stderr).not.toMatch(/error/i);
    expect(first.exitCode).toBe(0);
    expect(filesUnder(out)).toEqual(['nginx/shinyproxy.conf', 'shinyproxy/application.yml']);
    expect(first.stdout).toContain(`wrote ${join(out, 'nginx/shinyproxy.conf')}`);
    const before = filesUnder(out).map((f) => readFileSync(join(out, f)));

    const second = await runCli(['render', '--out', out], { cwd: dir, env: OFFLINE_ENV });
    expect(second.exitCode).toBe(0);
    const after = filesUnder(out).map((f) => readFileSync(join(out, f)));
    expect(after.map((b) => createHash('sha256').update(b).digest('hex'))).toEqual(
      before.map((b) => createHash('sha256').update(b).digest('hex')),
    );

    const app = parse(readFileSync(join(out, 'shinyproxy/application.yml'), 'utf8'), { version: '1.1' }) as {
      proxy: { specs: Array<{ id: string; 'container-image': string }>; openid: Record<string, string> };
    };
    expect(app.proxy.specs.map((s) => [s.id, s['container-image']])).toEqual([
      ['shiny-demo', `${REPO('shiny-demo')}@${DIGEST_A}`],
      ['dash-demo', `${REPO('dash-demo')}@${DIGEST_B}`],
    ]);
    expect(app.proxy.openid['logout-url']).toBe(fixtureOutputs(cfg)[OutputKeys.LogoutUrl]);
    expect(readFileSync(join(out, 'nginx/shinyproxy.conf'), 'utf8')).toContain('# From: shinykit.yaml (project analytics), outputs from cdk-outputs.json');
  });

  it('--stdout prints both files and writes nothing', async () => {
    const { dir, out } = tracked(project());
    const res = await runCli(['render', '--stdout'], { cwd: dir, env: OFFLINE_ENV });
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toContain('==> nginx/shinyproxy.conf <==');
    expect(res.stdout).toContain('listen 443 ssl http2;');
    expect(res.stdout).toContain('==> shinyproxy/application.yml <==');
    expect(res.stdout).toContain('client-secret: ${SHINYKIT_COGNITO_CLIENT_SECRET}');
    expect(filesUnder(out)).toEqual([]);
  });

  it('a missing output key exits 2 naming the key and the file, and writes no files', async () => {
    const { dir, out } = tracked(project({ drop: [OutputKeys.JwksUrl, 'RepositoryDashDemo'] }));
    const res = await runCli(['render', '--out', out], { cwd: dir, env: OFFLINE_ENV });
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain('"JwksUrl"');
    expect(res.stderr).toContain('"RepositoryDashDemo"');
    expect(res.stderr).toContain('cdk-outputs.json');
    expect(res.stderr).toContain('npx shinykit deploy');
    expect(filesUnder(out)).toEqual([]);
  });

  it('without --out or --stdout it is a usage error (exit 2)', async () => {
    const { dir } = tracked(project());
    const res = await runCli(['render'], { cwd: dir, env: OFFLINE_ENV });
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain('--out <dir>');
  });
});

describe('shinykit render falling back to ECR (moto_server)', () => {
  let moto: Moto;
  let ecr: ECRClient;
  beforeAll(async () => {
    moto = await startMoto();
    ecr = new ECRClient({ region: TEST_REGION, endpoint: moto.url, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  });
  afterAll(async () => {
    ecr?.destroy();
    await moto?.stop();
  });
  beforeEach(async () => {
    await moto.reset();
    for (const id of ['shiny-demo', 'dash-demo']) await ecr.send(new CreateRepositoryCommand({ repositoryName: `analytics/${id}` }));
  });

  const pushManifest = async (id: string, tag: string, configDigest: string): Promise<string> => {
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 1234, digest: configDigest },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 5678, digest: `sha256:${'c'.repeat(64)}` }],
    });
    const res = await ecr.send(new PutImageCommand({ repositoryName: `analytics/${id}`, imageManifest: manifest, imageTag: tag }));
    return res.image!.imageId!.imageDigest!;
  };

  it('uses the digest of the image in each ECR repository when images.json is absent', async () => {
    const shinyDigest = await pushManifest('shiny-demo', 'v1', `sha256:${'1'.repeat(64)}`);
    const dashDigest = await pushManifest('dash-demo', 'v1', `sha256:${'2'.repeat(64)}`);
    expect(shinyDigest).toMatch(/^sha256:[a-f0-9]{64}$/);
    const { dir, out } = tracked(project({ images: null }));
    const res = await runCli(['render', '--out', out], { cwd: dir, env: moto.env });
    expect(res.stderr).not.toMatch(/error/i);
    expect(res.exitCode).toBe(0);
    const yml = readFileSync(join(out, 'shinyproxy/application.yml'), 'utf8');
    expect(yml).toContain(`container-image: ${REPO('shiny-demo')}@${shinyDigest}`);
    expect(yml).toContain(`container-image: ${REPO('dash-demo')}@${dashDigest}`);
    expect(res.stderr).toContain('newest image in ECR');
  });

  it('takes images.json where it has an entry and ECR for the rest', async () => {
    const dashDigest = await pushManifest('dash-demo', 'v1', `sha256:${'3'.repeat(64)}`);
    const { dir, out } = tracked(project({ images: { 'shiny-demo': DIGEST_A } }));
    const res = await runCli(['render', '--out', out], { cwd: dir, env: moto.env });
    expect(res.exitCode).toBe(0);
    const yml = readFileSync(join(out, 'shinyproxy/application.yml'), 'utf8');
    expect(yml).toContain(`container-image: ${REPO('shiny-demo')}@${DIGEST_A}`);
    expect(yml).toContain(`container-image: ${REPO('dash-demo')}@${dashDigest}`);
  });

  it('fails with exit 2 naming the app that has no image anywhere, and writes nothing', async () => {
    await pushManifest('shiny-demo', 'v1', `sha256:${'4'.repeat(64)}`);
    const { dir, out } = tracked(project({ images: null }));
    const res = await runCli(['render', '--out', out], { cwd: dir, env: moto.env });
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain('no image found for app dash-demo');
    expect(res.stderr).toContain('shinykit push');
    expect(res.stderr).toContain('--allow-missing-images');
    expect(filesUnder(out)).toEqual([]);
  });

  it('--allow-missing-images leaves the app out with a warning and still writes valid YAML', async () => {
    await pushManifest('shiny-demo', 'v1', `sha256:${'5'.repeat(64)}`);
    const { dir, out } = tracked(project({ images: null }));
    const res = await runCli(['render', '--out', out, '--allow-missing-images'], { cwd: dir, env: moto.env });
    expect(res.exitCode).toBe(0);
    expect(res.stderr).toContain('warning: app dash-demo has no image yet');
    const app = parse(readFileSync(join(out, 'shinyproxy/application.yml'), 'utf8'), { version: '1.1' }) as {
      proxy: { specs: Array<{ id: string }> };
    };
    expect(app.proxy.specs.map((s) => s.id)).toEqual(['shiny-demo']);
  });
});

describe('shinykit render reading outputs from CloudFormation when cdk-outputs.json is absent (moto_server)', () => {
  let moto: Moto;
  let cfn: CloudFormationClient;
  beforeAll(async () => {
    moto = await startMoto();
    cfn = new CloudFormationClient({ region: TEST_REGION, endpoint: moto.url, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  });
  afterAll(async () => {
    cfn?.destroy();
    await moto?.stop();
  });
  beforeEach(() => moto.reset());

  /** Stacks named like the app's, whose template outputs are the fixture values (minus `drop`). */
  const deployStacks = async (drop: string[] = []) => {
    const all = fixtureOutputs(cfg);
    for (const k of drop) delete all[k];
    const template = (outputs: Record<string, string>) =>
      JSON.stringify({
        Resources: { Placeholder: { Type: 'AWS::CloudFormation::WaitConditionHandle' } },
        Outputs: Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, { Value: v }])),
      });
    const hostKeys = new Set<string>([OutputKeys.HostInstanceId]);
    const pick = (host: boolean) => Object.fromEntries(Object.entries(all).filter(([k]) => hostKeys.has(k) === host));
    await cfn.send(new CreateStackCommand({ StackName: 'analytics-data', TemplateBody: template(pick(false)) }));
    await cfn.send(new CreateStackCommand({ StackName: 'analytics-host', TemplateBody: template(pick(true)) }));
  };

  it('renders from DescribeStacks outputs', async () => {
    await deployStacks();
    const p = tracked(project());
    rmSync(join(p.dir, 'cdk-outputs.json'));
    const res = await runCli(['render', '--out', p.out], { cwd: p.dir, env: moto.env });
    expect(res.stderr).not.toMatch(/error/i);
    expect(res.exitCode).toBe(0);
    expect(readFileSync(join(p.out, 'shinyproxy/application.yml'), 'utf8')).toContain(`jwks-url: ${fixtureOutputs(cfg)[OutputKeys.JwksUrl]}`);
  });

  it('a key missing from the stacks exits 2 naming the key and the stacks, and writes nothing', async () => {
    await deployStacks([OutputKeys.LogoutUrl]);
    const p = tracked(project());
    rmSync(join(p.dir, 'cdk-outputs.json'));
    const res = await runCli(['render', '--out', p.out], { cwd: p.dir, env: moto.env });
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain('"LogoutUrl"');
    expect(res.stderr).toContain('CloudFormation stacks analytics-data, analytics-host');
    expect(filesUnder(p.out)).toEqual([]);
  });
});
