/**
 * `runPush` against ECR as served by a real moto_server: existence checks by
 * DescribeImages, GetAuthorizationToken for the login, repository URIs from
 * cdk-outputs.json, digests recorded for render, and the rollout hook.
 * The builder is docker through a recording Runner: no Docker engine exists
 * on the test machines, so its commands are recorded and answered here.
 * In-process (runPush called directly, not the built CLI), hence under unit/: the
 * context's AWS client factory is pointed at moto (endpoint and test credentials),
 * so nothing here reads or changes process.env.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateRepositoryCommand, PutImageCommand } from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../lib/config/index.js';
import { createAwsClients, type AwsClients } from '../../../cli/lib/aws.js';
import type { CommandContext } from '../../../cli/lib/context.js';
import { DEFAULT_TIMING } from '../../../cli/lib/runtime.js';
import type { RunOptions, Runner } from '../../../cli/lib/exec.js';
import { createIoHost } from '../../../cli/lib/io-host.js';
import { loadStackOutputs } from '../../../cli/lib/stack-outputs.js';
import { runPush } from '../../../cli/commands/push.js';
import { computeTag } from '../../../cli/push/tag.js';
import { startMoto, TEST_REGION, type Moto } from '../../support/moto.js';
import { createPushProject } from '../../support/push-registry.js';

const ACCOUNT_HOST = `123456789012.dkr.ecr.${TEST_REGION}.amazonaws.com`;
const BUILT_DIGEST = `sha256:${'b'.repeat(64)}`;
let moto: Moto;
let project: { dir: string; config: string };

let clients: AwsClients;

beforeAll(async () => {
  moto = await startMoto();
  clients = createAwsClients({ region: TEST_REGION, endpoint: moto.url, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
});
afterAll(async () => {
  await moto?.stop();
  if (project) rmSync(project.dir, { recursive: true, force: true });
});

beforeEach(async () => {
  await moto.reset();
  if (project) rmSync(project.dir, { recursive: true, force: true });
  project = createPushProject({ apps: ['hello', 'world'] });
  writeFileSync(
    join(project.dir, 'cdk-outputs.json'),
    JSON.stringify({ 'e2e-data': { RepositoryHello: `${ACCOUNT_HOST}/e2e/hello`, RepositoryWorld: `${ACCOUNT_HOST}/e2e/world` } }),
  );
});

function context(): CommandContext & { logs: string[] } {
  const logs: string[] = [];
  const sink = { write: (t: string) => logs.push(t) };
  const out = createIoHost({ isTTY: { stdin: false, stdout: false, stderr: false }, isCI: true, noColor: true, streams: { stdout: sink, stderr: sink } });
  const options = { config: project.config, outputs: join(project.dir, 'cdk-outputs.json'), debug: false };
  return {
    logs,
    options,
    out,
    timing: DEFAULT_TIMING,
    env: {}, // no SHINYKIT_BUILDER or SHINYKIT_REGISTRY from the machine running the tests
    config: () => loadConfig(project.config),
    outputs: () => loadStackOutputs(loadConfig(project.config), { outputsFile: options.outputs }),
    aws: async () => clients,
  };
}

/** Answers like docker with a running engine and buildx; records every call. */
function dockerRecorder(failBuildOf?: string): { runner: Runner; calls: { cmd: string; args: readonly string[]; opts: RunOptions }[] } {
  const calls: { cmd: string; args: readonly string[]; opts: RunOptions }[] = [];
  const runner: Runner = async (cmd, args, opts = {}) => {
    calls.push({ cmd, args, opts });
    if (cmd === 'git') return { stdout: 'c'.repeat(40), stderr: '' };
    if (args[1] === 'build') {
      if (failBuildOf && args.some((a) => a.includes(`/${failBuildOf}:`))) {
        const { ExecError } = await import('../../../cli/lib/exec.js');
        throw new ExecError('docker buildx failed (exit code 1)', ['#5 ERROR: process "/bin/sh -c make" did not complete successfully']);
      }
      writeFileSync(args[args.indexOf('--metadata-file') + 1]!, JSON.stringify({ 'containerimage.digest': BUILT_DIGEST }));
    }
    return { stdout: '', stderr: '' };
  };
  return { runner, calls };
}

async function seedEcr(opts: { pushHello: boolean }): Promise<string | undefined> {
  const ecr = clients.ecr();
  for (const app of ['hello', 'world']) await ecr.send(new CreateRepositoryCommand({ repositoryName: `e2e/${app}` }));
  if (!opts.pushHello) return undefined;
  const ctxDir = join(project.dir, 'apps', 'hello');
  const { tag } = await computeTag({ contextDir: ctxDir, dockerfile: join(ctxDir, 'Dockerfile'), buildArgs: { GREETING: 'hello-hello' }, platform: 'linux/amd64' });
  const manifest = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', config: {}, layers: [] });
  const res = await ecr.send(new PutImageCommand({ repositoryName: 'e2e/hello', imageTag: tag, imageManifest: manifest }));
  return res.image?.imageId?.imageDigest;
}

describe('push against ECR (moto) with the docker builder (recorded)', () => {
  it('skips an app whose tag ECR already has, builds the other, records both digests, then rolls out once', async () => {
    const helloDigest = await seedEcr({ pushHello: true });
    const { runner, calls } = dockerRecorder();
    let applied = 0;
    const ctx = context();
    const result = await runPush({}, ctx, { runner, apply: async () => void applied++ });

    expect(result.apps.map((a) => [a.id, a.status, a.built])).toEqual([
      ['hello', 'skipped', false],
      ['world', 'pushed', true],
    ]);
    expect(result.apps[0]!.digest).toBe(helloDigest);
    expect(applied).toBe(1);
    expect(result.builder).toBe('docker');
    // Progress through the context's I/O host, under CI: plain lines, one per change.
    const progress = ctx.logs.join('');
    expect(progress).toMatch(/^hello +skipped +\d+\.\ds  \S+ is already in the registry$/m);
    expect(progress).toMatch(/^world +done +\d+\.\ds  sha256:b{12}$/m);
    expect(progress).not.toContain('\u001b[');

    // Only world was built, into its ECR repository, with the git revision label.
    const builds = calls.filter((c) => c.args[1] === 'build');
    expect(builds).toHaveLength(1);
    expect(builds[0]!.args).toContain(`${ACCOUNT_HOST}/e2e/world:${result.apps[1]!.tag}`);
    expect(builds[0]!.args).toContain(`org.opencontainers.image.revision=${'c'.repeat(40)}`);
    // Logged in to the ECR registry with moto's decoded token, on stdin only.
    const login = calls.find((c) => c.args[0] === 'login')!;
    expect(login.args).toEqual(['login', '--username', 'AWS', '--password-stdin', ACCOUNT_HOST]);
    expect(login.opts.input).toBe('123456789012-auth-token');
    expect(calls.flatMap((c) => c.args).join(' ')).not.toContain('123456789012-auth-token');

    const state = JSON.parse(readFileSync(join(project.dir, '.shinykit', 'images.json'), 'utf8'));
    expect(state.hello).toMatchObject({ repository: `${ACCOUNT_HOST}/e2e/hello`, digest: helloDigest });
    expect(state.world).toMatchObject({ repository: `${ACCOUNT_HOST}/e2e/world`, digest: BUILT_DIGEST, tag: result.apps[1]!.tag });
  });

  it('a failed build leaves the others recorded and does not roll out', async () => {
    await seedEcr({ pushHello: false });
    const { runner } = dockerRecorder('world');
    let applied = 0;
    const result = await runPush({ concurrency: 1 }, context(), { runner, apply: async () => void applied++ });
    expect(result.failed).toBe(1);
    expect(result.apps.map((a) => a.status)).toEqual(['pushed', 'failed']);
    expect(result.apps[1]!.error).toBe('the docker build failed');
    expect(result.apps[1]!.tail).toEqual(['#5 ERROR: process "/bin/sh -c make" did not complete successfully']);
    expect(applied).toBe(0);
    const state = JSON.parse(readFileSync(join(project.dir, '.shinykit', 'images.json'), 'utf8'));
    expect(Object.keys(state)).toEqual(['hello']);
  });

  it('a missing ECR repository is reported as such, before any build', async () => {
    const { runner, calls } = dockerRecorder();
    await expect(runPush({ apply: false }, context(), { runner })).rejects.toThrow(
      /ECR repository e2e\/(hello|world) does not exist/,
    );
    expect(calls.filter((c) => c.cmd === 'docker')).toHaveLength(0);
  });

  it('a missing Repository output names the key and the file', async () => {
    writeFileSync(join(project.dir, 'cdk-outputs.json'), JSON.stringify({ 'e2e-data': { RepositoryHello: `${ACCOUNT_HOST}/e2e/hello` } }));
    await expect(runPush({ apply: false }, context(), { runner: dockerRecorder().runner })).rejects.toThrow(
      /output "RepositoryWorld" is missing from .*cdk-outputs.json/,
    );
  });
});
