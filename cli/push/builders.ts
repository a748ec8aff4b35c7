/**
 * The two image builders, docker (buildx) and podman, behind one interface.
 *
 * Each run logs in once into a private temporary directory (DOCKER_CONFIG for
 * docker, an --authfile for podman) with the password on stdin, and removes
 * that directory afterwards: the user's ~/.docker/config.json is never read
 * for credentials nor written, and the token is never in argv or a log.
 *
 * The argv builders are pure and exported so tests can check the exact
 * commands (there is no Docker engine on the test machines).
 */
import { existsSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExecError, type Runner } from '../lib/exec.js';
import { WorkError } from '../lib/errors.js';
import { classifyFailure } from './classify.js';
import type { RegistryCredentials } from './registry.js';

export type BuilderName = 'docker' | 'podman';
export const BUILDERS: readonly BuilderName[] = ['docker', 'podman'];

/** Builds can compile R and Python packages for a long time. */
const BUILD_TIMEOUT_MS = 60 * 60 * 1000;
const PROBE_TIMEOUT_MS = 20_000;

export interface BuildJob {
  readonly appId: string;
  readonly contextDir: string;
  readonly dockerfile: string;
  readonly platform: string;
  /** Full reference to build and push: <repository>:<tag>. */
  readonly image: string;
  readonly buildArgs: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
}

export interface BuildHooks {
  /** Each log line (already redacted). */
  readonly onLine?: (line: string) => void;
  readonly onPhase?: (phase: 'building' | 'pushing') => void;
}

/** A logged-in builder for one `push` run. */
export interface BuilderSession {
  readonly name: BuilderName;
  /** Builds and pushes; returns the pushed manifest digest when the builder reports it. */
  buildAndPush(job: BuildJob, hooks?: BuildHooks): Promise<{ digest?: string }>;
  /** Removes the temporary credentials directory. */
  dispose(): Promise<void>;
}

/** Podman settings that must differ per machine (tests use vfs + chroot); from the environment. */
export interface PodmanSettings {
  /** Global --storage-driver (SHINYKIT_PODMAN_STORAGE_DRIVER), e.g. vfs where overlay is unavailable. */
  readonly storageDriver?: string;
  /** Global --root (SHINYKIT_PODMAN_ROOT): image storage directory. */
  readonly root?: string;
  /** Global --runroot (SHINYKIT_PODMAN_RUNROOT). */
  readonly runroot?: string;
  /** Build --isolation (SHINYKIT_PODMAN_ISOLATION): oci (default), chroot, rootless. */
  readonly isolation?: string;
}

export function podmanSettingsFromEnv(env: NodeJS.ProcessEnv): PodmanSettings {
  const v = (k: string) => env[k] || undefined;
  return {
    storageDriver: v('SHINYKIT_PODMAN_STORAGE_DRIVER'),
    root: v('SHINYKIT_PODMAN_ROOT'),
    runroot: v('SHINYKIT_PODMAN_RUNROOT'),
    isolation: v('SHINYKIT_PODMAN_ISOLATION'),
  };
}

export interface BuilderDeps {
  readonly runner: Runner;
  readonly env: NodeJS.ProcessEnv;
}

// ---------------------------------------------------------------- argv (pure)

/** What to build, in the flags docker and podman share: platform, Dockerfile, tag, then labels and build args (sorted, so the argv is stable). */
function jobFlags(job: BuildJob): string[] {
  const flags = ['--platform', job.platform, '--file', job.dockerfile, '--tag', job.image];
  for (const [k, v] of Object.entries(job.labels).sort(([a], [b]) => a.localeCompare(b))) flags.push('--label', `${k}=${v}`);
  for (const [k, v] of Object.entries(job.buildArgs).sort(([a], [b]) => a.localeCompare(b))) flags.push('--build-arg', `${k}=${v}`);
  return flags;
}

export function dockerLoginArgv(host: string, username: string): string[] {
  return ['login', '--username', username, '--password-stdin', host];
}

/** buildx builds and pushes in one step and writes the pushed digest to the metadata file. */
export function dockerBuildxArgv(job: BuildJob, opts: { metadataFile: string; insecure: boolean }): string[] {
  return [
    'buildx',
    'build',
    '--progress=plain',
    ...jobFlags(job),
    // A plain image manifest (no attestation index), like podman's and the classic builder's.
    '--provenance=false',
    '--metadata-file',
    opts.metadataFile,
    ...(opts.insecure ? ['--output', `type=image,name=${job.image},push=true,registry.insecure=true`] : ['--push']),
    job.contextDir,
  ];
}

/** Without buildx: the classic builder, then a separate push. */
export function dockerClassicBuildArgv(job: BuildJob): string[] {
  return ['build', ...jobFlags(job), job.contextDir];
}

export function dockerPushArgv(image: string): string[] {
  return ['push', image];
}

/** Flags podman takes before the subcommand (storage is global, not a build flag). */
export function podmanGlobalArgv(s: PodmanSettings): string[] {
  return [
    ...(s.storageDriver ? ['--storage-driver', s.storageDriver] : []),
    ...(s.root ? ['--root', s.root] : []),
    ...(s.runroot ? ['--runroot', s.runroot] : []),
  ];
}

/** The start of a podman command that talks to the registry: the run's authfile, and no TLS check for an insecure (local) registry. */
function podmanRegistryArgv(s: PodmanSettings, subcommand: 'login' | 'push', authfile: string, insecure: boolean): string[] {
  return [...podmanGlobalArgv(s), subcommand, '--authfile', authfile, ...(insecure ? ['--tls-verify=false'] : [])];
}

export function podmanLoginArgv(s: PodmanSettings, host: string, username: string, authfile: string, insecure: boolean): string[] {
  return [...podmanRegistryArgv(s, 'login', authfile, insecure), '--username', username, '--password-stdin', host];
}

export function podmanBuildArgv(s: PodmanSettings, job: BuildJob, authfile: string): string[] {
  return [
    ...podmanGlobalArgv(s),
    'build',
    ...jobFlags(job),
    ...(s.isolation ? ['--isolation', s.isolation] : []),
    // Base images from the same registry need the run's credentials too.
    '--authfile',
    authfile,
    job.contextDir,
  ];
}

export function podmanPushArgv(s: PodmanSettings, image: string, authfile: string, digestFile: string, insecure: boolean): string[] {
  return [...podmanRegistryArgv(s, 'push', authfile, insecure), '--digestfile', digestFile, image];
}

// ---------------------------------------------------------------- detection

export interface DetectedBuilder {
  readonly name: BuilderName;
  /** docker only: whether the buildx plugin answers. */
  readonly buildx: boolean;
}

/**
 * Picks the builder: the one asked for (--builder / SHINYKIT_BUILDER), else
 * docker when its engine answers, else podman. Only runs when something must
 * be built, so a no-change push never starts either.
 */
export async function detectBuilder(deps: BuilderDeps, requested?: BuilderName): Promise<DetectedBuilder> {
  const order = requested ? [requested] : BUILDERS;
  const failures: { name: BuilderName; kind: string; message: string; hint?: string }[] = [];
  for (const name of order) {
    try {
      return await probe(deps, name);
    } catch (err) {
      const output = err instanceof ExecError ? [err.message, ...err.tail].join('\n') : (err as Error).message;
      failures.push({ name, ...classifyFailure({ builder: name, step: 'detect', output }) });
    }
  }
  if (failures.length === 1) {
    const f = failures[0]!;
    throw new WorkError(f.message, { hint: f.hint });
  }
  if (failures.every((f) => f.kind === 'not-installed')) {
    throw new WorkError('neither docker nor podman is installed', {
      hint: 'install Docker (with buildx) or Podman to build images, then run push again',
    });
  }
  // Prefer the message about an installed engine that is not running over "the other one is missing".
  const best = failures.find((f) => f.kind !== 'not-installed') ?? failures[0]!;
  throw new WorkError(`no image builder is usable: ${failures.map((f) => f.message).join('; ')}`, { hint: best.hint });
}

async function probe(deps: BuilderDeps, name: BuilderName): Promise<DetectedBuilder> {
  if (name === 'docker') {
    // `docker version` exits non-zero when the CLI is there but the engine is not.
    await deps.runner('docker', ['version', '--format', '{{.Server.Version}}'], { timeoutMs: PROBE_TIMEOUT_MS });
    const buildx = await deps.runner('docker', ['buildx', 'version'], { timeoutMs: PROBE_TIMEOUT_MS }).then(
      () => true,
      () => false,
    );
    return { name, buildx };
  }
  // `podman info` also proves the storage configuration works.
  await deps.runner('podman', [...podmanGlobalArgv(podmanSettingsFromEnv(deps.env)), 'info', '--format', '{{.Store.GraphDriverName}}'], {
    timeoutMs: PROBE_TIMEOUT_MS,
  });
  return { name, buildx: false };
}

// ---------------------------------------------------------------- sessions

export interface LoginTarget {
  /** Registry host[:port] to log in to. */
  readonly host: string;
  readonly credentials: RegistryCredentials;
  /** Plain-HTTP registry (tests): podman --tls-verify=false, buildx registry.insecure. */
  readonly insecure: boolean;
}

/** Creates the temporary credentials directory, logs in, and returns the session. */
export async function openSession(deps: BuilderDeps, builder: DetectedBuilder, target: LoginTarget): Promise<BuilderSession> {
  const dir = await mkdtemp(join(tmpdir(), 'shinykit-push-'));
  // Ctrl-C skips `finally` blocks: remove the credentials first, then die of the same signal.
  const onSignal = (signal: NodeJS.Signals) => {
    rmSync(dir, { recursive: true, force: true });
    process.kill(process.pid, signal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const cleanup = async () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const session = builder.name === 'docker' ? await dockerSession(deps, builder, target, dir) : await podmanSession(deps, target, dir);
    return { ...session, dispose: cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

type SessionParts = Omit<BuilderSession, 'dispose'>;

async function dockerSession(deps: BuilderDeps, builder: DetectedBuilder, target: LoginTarget, dir: string): Promise<SessionParts> {
  prepareDockerConfig(dir, deps.env);
  const secrets = [target.credentials.password];
  const env = { DOCKER_CONFIG: dir };
  await step('docker', 'login', target.host, () =>
    deps.runner('docker', dockerLoginArgv(target.host, target.credentials.username), { env, input: target.credentials.password, secrets, timeoutMs: PROBE_TIMEOUT_MS * 3 }),
  );
  return {
    name: 'docker',
    async buildAndPush(job, hooks = {}) {
      const opts = { env, secrets, timeoutMs: BUILD_TIMEOUT_MS, onLine: hooks.onLine };
      hooks.onPhase?.('building');
      if (builder.buildx) {
        const metadataFile = join(dir, `${job.appId}.metadata.json`);
        await step('docker', 'build', target.host, () => deps.runner('docker', dockerBuildxArgv(job, { metadataFile, insecure: target.insecure }), {
          ...opts,
          onLine: (line) => {
            // buildx pushes inside the build; show the phase when it starts exporting.
            if (/pushing layers|exporting to image|pushing manifest/i.test(line)) hooks.onPhase?.('pushing');
            hooks.onLine?.(line);
          },
        }));
        const meta = JSON.parse(await readFile(metadataFile, 'utf8')) as Record<string, unknown>;
        const digest = meta['containerimage.digest'];
        return { digest: typeof digest === 'string' ? digest : undefined };
      }
      await step('docker', 'build', target.host, () => deps.runner('docker', dockerClassicBuildArgv(job), opts));
      hooks.onPhase?.('pushing');
      const pushed = await step('docker', 'push', target.host, () => deps.runner('docker', dockerPushArgv(job.image), opts));
      return { digest: /digest: (sha256:[0-9a-f]{64})/.exec(pushed.stdout)?.[1] };
    },
  };
}

/**
 * The private DOCKER_CONFIG keeps what the docker CLI needs to work as the
 * user set it up (current context, proxies, plugins, buildx builders) and
 * nothing about credentials (auths, credsStore, credHelpers): a login here
 * must not land in the user's keychain or config.
 */
export function prepareDockerConfig(dir: string, env: NodeJS.ProcessEnv): void {
  const userDir = env.DOCKER_CONFIG || join(homedir(), '.docker');
  const keep: Record<string, unknown> = {};
  try {
    const user = JSON.parse(readFileSync(join(userDir, 'config.json'), 'utf8')) as Record<string, unknown>;
    for (const key of ['currentContext', 'proxies', 'cliPluginsExtraDirs']) if (user[key] !== undefined) keep[key] = user[key];
  } catch {
    // No user config (or unreadable): defaults are fine.
  }
  writeFileSync(join(dir, 'config.json'), `${JSON.stringify(keep)}\n`, { mode: 0o600 });
  for (const sub of ['cli-plugins', 'contexts', 'buildx']) {
    if (existsSync(join(userDir, sub))) symlinkSync(join(userDir, sub), join(dir, sub));
  }
}

async function podmanSession(deps: BuilderDeps, target: LoginTarget, dir: string): Promise<SessionParts> {
  const settings = podmanSettingsFromEnv(deps.env);
  const authfile = join(dir, 'auth.json');
  const secrets = [target.credentials.password];
  // REGISTRY_AUTH_FILE too, so nothing podman starts falls back to the user's auth files.
  const env = { REGISTRY_AUTH_FILE: authfile };
  await step('podman', 'login', target.host, () =>
    deps.runner('podman', podmanLoginArgv(settings, target.host, target.credentials.username, authfile, target.insecure), {
      env,
      input: target.credentials.password,
      secrets,
      timeoutMs: PROBE_TIMEOUT_MS * 3,
    }),
  );
  return {
    name: 'podman',
    async buildAndPush(job, hooks = {}) {
      const opts = { env, secrets, timeoutMs: BUILD_TIMEOUT_MS, onLine: hooks.onLine };
      hooks.onPhase?.('building');
      await step('podman', 'build', target.host, () => deps.runner('podman', podmanBuildArgv(settings, job, authfile), opts));
      hooks.onPhase?.('pushing');
      const digestFile = join(dir, `${job.appId}.digest`);
      await step('podman', 'push', target.host, () => deps.runner('podman', podmanPushArgv(settings, job.image, authfile, digestFile, target.insecure), opts));
      const digest = (await readFile(digestFile, 'utf8').catch(() => '')).trim();
      return { digest: digest || undefined };
    },
  };
}

/** A builder step whose failure becomes a classified error carrying the log tail. */
export class BuildStepError extends WorkError {
  constructor(
    message: string,
    readonly kind: string,
    readonly tail: readonly string[],
    hint?: string,
  ) {
    super(message, { details: tail, hint });
  }
}

async function step<T>(builder: BuilderName, name: 'login' | 'build' | 'push', registry: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof ExecError)) throw err;
    const c = classifyFailure({ builder, step: name, registry, output: [err.message, ...err.tail].join('\n') });
    throw new BuildStepError(c.message, c.kind, err.tail, c.hint);
  }
}
