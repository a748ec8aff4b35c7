/**
 * `shinykit push`, the work: hash each app's build inputs into a tag, ask the
 * registry whether that tag exists, build and push only what is missing (in
 * parallel, up to a limit), record the digests for `render`, then roll out.
 *
 * Per-app build failures do not stop the other apps; they are returned in the
 * result (with the log tail) and the command exits 1 after the rest finish.
 * Problems that affect every app (bad input, no credentials, registry
 * unreachable, no builder) are thrown.
 */
import { createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { repositoryName, targetPlatform, type AppConfig, type Config } from '../../lib/config.js';
import { repositoryOutputKey } from '../../lib/outputs.js';
import type { CommandContext } from '../lib/context.js';
import { UsageError, WorkError } from '../lib/errors.js';
import { mapConcurrent } from '../lib/concurrency.js';
import { run, type Runner } from '../lib/exec.js';
import type { TaskBoard } from '../lib/io-host.js';
import { imageRef, imageStatePath, writeImageState, type ImageState } from '../lib/image-state.js';
import { BuildStepError, detectBuilder, openSession, type BuilderName, type BuilderSession } from './builders.js';
import { gitRevision, REVISION_LABEL } from './git.js';
import {
  ecrCredentials,
  ecrImageDigest,
  overrideRepository,
  parseRegistryOverride,
  REGISTRY_ENV,
  registryManifestDigest,
  splitRepository,
  type RegistryCredentials,
  type RegistryOverride,
} from './registry.js';
import { computeTag } from './tag.js';

export interface PushOptions {
  /** App ids to push; all apps when empty. */
  readonly apps?: readonly string[];
  readonly builder?: BuilderName;
  readonly concurrency?: number;
  /** Registry override (flag); falls back to SHINYKIT_REGISTRY. */
  readonly registry?: string;
  /** Roll the images out with `apply` afterwards; default true. */
  readonly apply?: boolean;
}

export interface PushDeps {
  readonly runner?: Runner;
  readonly env?: NodeJS.ProcessEnv;
  /** The rollout step (`runApply`), injected by the command. */
  readonly apply?: (ctx: CommandContext) => Promise<unknown>;
}

export type AppStatus = 'skipped' | 'pushed' | 'failed';

export interface AppPushResult {
  readonly id: string;
  readonly tag: string;
  readonly repository: string;
  readonly digest?: string;
  /** repository@digest, what render pins the app to. */
  readonly image?: string;
  readonly built: boolean;
  readonly pushed: boolean;
  readonly status: AppStatus;
  readonly error?: string;
  readonly hint?: string;
  /** The last lines of the build log (failures only). */
  readonly tail?: readonly string[];
  /** Full build log (when something was built). */
  readonly log?: string;
}

export interface PushResult {
  readonly apps: readonly AppPushResult[];
  readonly builder?: BuilderName;
  /** Whether `apply` ran. */
  readonly applied: boolean;
  readonly failed: number;
}

/** Builds are CPU-heavy but pushes and pulls are not: at least two at once, at most four. */
export function defaultConcurrency(): number {
  return Math.min(4, Math.max(2, Math.floor(availableParallelism() / 2)));
}

/** The apps named on the command line (all when none), or a usage error before anything runs. */
export function selectApps(cfg: Config, ids: readonly string[] | undefined): AppConfig[] {
  if (!ids || ids.length === 0) return [...cfg.apps];
  const known = cfg.apps.map((a) => a.id);
  const unknown = ids.filter((id) => !known.includes(id));
  if (unknown.length > 0) {
    throw new UsageError(`unknown app${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"`).join(', ')}`, {
      hint: `apps in the config: ${known.join(', ')}`,
    });
  }
  return cfg.apps.filter((a) => ids.includes(a.id));
}

interface Plan {
  readonly app: AppConfig;
  readonly contextDir: string;
  readonly dockerfile: string;
  readonly repository: string;
  tag: string;
}

/** Context and Dockerfile paths, relative to the config file; missing ones are usage errors. */
export function resolveBuildPaths(configFile: string, app: AppConfig, index: number): { contextDir: string; dockerfile: string } {
  const base = dirname(resolve(configFile));
  const contextDir = resolve(base, app.context);
  const dockerfile = app.dockerfile ? resolve(base, app.dockerfile) : join(contextDir, 'Dockerfile');
  if (!existsSync(contextDir) || !statSync(contextDir).isDirectory()) {
    throw new UsageError(`apps[${index}].context: ${contextDir} is not a directory (app ${app.id})`, {
      hint: 'set context to the app folder, relative to shinykit.yaml',
    });
  }
  if (!existsSync(dockerfile) || !statSync(dockerfile).isFile()) {
    throw new UsageError(`${app.dockerfile ? `apps[${index}].dockerfile` : `apps[${index}].context`}: no Dockerfile at ${dockerfile} (app ${app.id})`, {
      hint: app.dockerfile ? 'fix the dockerfile path (relative to shinykit.yaml)' : 'add a Dockerfile to the context, or set apps[].dockerfile',
    });
  }
  return { contextDir, dockerfile };
}

export async function runPush(opts: PushOptions, ctx: CommandContext, deps: PushDeps = {}): Promise<PushResult> {
  const runner = deps.runner ?? run;
  const env = deps.env ?? process.env;
  const cfg = ctx.config();
  const configFile = ctx.options.config;
  const apps = selectApps(cfg, opts.apps);
  const paths = apps.map((app) => resolveBuildPaths(configFile, app, cfg.apps.indexOf(app)));
  const overrideText = opts.registry ?? (env[REGISTRY_ENV] || undefined);
  const override = overrideText
    ? parseRegistryOverride(overrideText, opts.registry ? '--registry' : REGISTRY_ENV)
    : undefined;
  if (override?.insecure && !/^(127\.|localhost(:|$)|\[::1\])/.test(override.host)) {
    ctx.out.warn(`pushing to ${override.host} over plain HTTP: use this only for a test registry`);
  }
  const outputs = override ? undefined : await ctx.outputs();
  const plans: Plan[] = apps.map((app, i) => ({
    app,
    ...paths[i]!,
    repository: override ? overrideRepository(override, repositoryName(cfg, app)) : outputs!.get(repositoryOutputKey(app)),
    tag: '',
  }));
  const platform = targetPlatform(cfg);

  // 1. Tags: pure hashing, all apps at once (reads are limited inside).
  const stateDir = dirname(imageStatePath(configFile));
  await Promise.all(
    plans.map(async (p) => {
      const t = await computeTag({ contextDir: p.contextDir, dockerfile: p.dockerfile, buildArgs: p.app.buildArgs, platform, excludeDirs: [resolve(stateDir)] });
      p.tag = t.tag;
      for (const dir of t.excludedButSent) {
        ctx.out.warn(`${p.app.id}: the build context holds shinykit's state folder ${dir}/; add "${dir}" to its .dockerignore so it stays out of the image`);
      }
    }),
  );

  // Each app starts "checking" (is its tag in the registry?); off a terminal that is said only if it changes.
  const progress = ctx.out.tasks(
    plans.map((p) => p.app.id),
    { quietStart: 'checking' },
  );
  const results = new Map<string, AppPushResult>();
  let creds: RegistryCredentials | undefined;
  const credentials = async () => (creds ??= await ecrCredentials((await ctx.aws()).ecr()));
  const existingDigest = async (p: Plan): Promise<string | undefined> =>
    override
      ? registryManifestDigest({ registry: override, repository: splitRepository(p.repository).path, reference: p.tag, credentials: await credentials() })
      : ecrImageDigest((await ctx.aws()).ecr(), repositoryName(cfg, p.app), p.tag);

  let session: BuilderSession | undefined;
  let builderName: BuilderName | undefined;
  try {
    // 2. Which tags are already in the registry? Those apps are done.
    const found = await Promise.all(plans.map(existingDigest));
    const toBuild: Plan[] = [];
    plans.forEach((p, i) => {
      const digest = found[i];
      if (!digest) {
        toBuild.push(p);
        progress.update(p.app.id, 'waiting', p.tag);
        return;
      }
      results.set(p.app.id, { id: p.app.id, tag: p.tag, repository: p.repository, digest, image: imageRef({ repository: p.repository, digest }), built: false, pushed: false, status: 'skipped' });
      progress.update(p.app.id, 'skipped', `${p.tag} is already in the registry`);
    });

    // 3. Build and push the rest. The builder is only looked for when there is work.
    if (toBuild.length > 0) {
      const detected = await detectBuilder({ runner, env }, opts.builder ?? builderFromEnv(env));
      builderName = detected.name;
      const { host } = splitRepository(toBuild[0]!.repository);
      session = await openSession({ runner, env }, detected, { host, credentials: await credentials(), insecure: override?.insecure ?? false });
      const revisions = new Map<string, Promise<string | undefined>>();
      const revision = (dir: string) => revisions.get(dir) ?? revisions.set(dir, gitRevision(runner, dir)).get(dir)!;
      const logDir = join(stateDir, 'logs');
      mkdirSync(logDir, { recursive: true });
      await mapConcurrent(toBuild, opts.concurrency ?? defaultConcurrency(), async (p) => {
        const result = await buildOne(p, session!, progress, { platform, revision: await revision(p.contextDir), logFile: join(logDir, `push-${p.app.id}.log`), digestOf: existingDigest });
        results.set(p.app.id, result);
      });
    }
  } finally {
    progress.finish();
    await session?.dispose();
  }

  const ordered = plans.map((p) => results.get(p.app.id)!);
  // 4. Record what is in the registry now, for render/apply.
  const pushedAt = new Date().toISOString();
  const updates: ImageState = {};
  for (const r of ordered) {
    if (r.status !== 'failed' && r.digest) updates[r.id] = { repository: r.repository, tag: r.tag, digest: r.digest, pushedAt };
  }
  if (Object.keys(updates).length > 0) writeImageState(configFile, updates);

  // 5. Roll out, only when every image is in place: a half-pushed set is not released.
  const failed = ordered.filter((r) => r.status === 'failed').length;
  let applied = false;
  if (failed === 0 && opts.apply !== false) {
    if (deps.apply) {
      await deps.apply(ctx);
      applied = true;
    } else {
      ctx.out.warn('images pushed and recorded, but this build has no rollout step: run `shinykit apply`');
    }
  }
  return { apps: ordered, builder: builderName, applied, failed };
}

function builderFromEnv(env: NodeJS.ProcessEnv): BuilderName | undefined {
  const v = env.SHINYKIT_BUILDER;
  if (!v) return undefined;
  if (v !== 'docker' && v !== 'podman') throw new UsageError(`SHINYKIT_BUILDER="${v}" is not a builder`, { hint: 'use docker or podman' });
  return v;
}

const TAIL_LINES = 30;

async function buildOne(
  p: Plan,
  session: BuilderSession,
  progress: TaskBoard,
  o: { platform: string; revision?: string; logFile: string; digestOf: (p: Plan) => Promise<string | undefined> },
): Promise<AppPushResult> {
  const id = p.app.id;
  const image = `${p.repository}:${p.tag}`;
  const log = createWriteStream(o.logFile);
  const tail: string[] = [];
  const base = { id, tag: p.tag, repository: p.repository, log: o.logFile };
  let phase = 'building' as 'building' | 'pushing';
  try {
    const { digest: reported } = await session.buildAndPush(
      {
        appId: id,
        contextDir: p.contextDir,
        dockerfile: p.dockerfile,
        platform: o.platform,
        image,
        buildArgs: p.app.buildArgs ?? {},
        labels: o.revision ? { [REVISION_LABEL]: o.revision } : {},
      },
      {
        onLine: (line) => {
          log.write(`${line}\n`);
          tail.push(line);
          if (tail.length > TAIL_LINES) tail.shift();
        },
        onPhase: (next) => {
          phase = next;
          progress.update(id, next, p.tag);
        },
      },
    );
    // Builders that do not report the digest: ask the registry (the tag was just pushed).
    const digest = reported ?? (await o.digestOf(p));
    if (!digest) throw new WorkError(`pushed ${image} but the registry does not list it`);
    progress.update(id, 'done', digest.slice(0, 19));
    return { ...base, digest, image: imageRef({ repository: p.repository, digest }), built: true, pushed: true, status: 'pushed' };
  } catch (err) {
    const e = err as Error & { hint?: string };
    progress.update(id, 'failed', e.message);
    return {
      ...base,
      built: phase === 'pushing',
      pushed: false,
      status: 'failed',
      error: e.message,
      hint: e.hint,
      tail: err instanceof BuildStepError && err.tail.length > 0 ? err.tail : [...tail],
    };
  } finally {
    await new Promise((r) => log.end(r));
  }
}
