/**
 * `shinykit push`: hash each app's build inputs into a tag, ask the registry whether
 * that tag exists, build and push only what is missing (in parallel, up to a limit),
 * record the digests for `render`, then roll out with apply. Helpers: cli/push/.
 *
 * Per-app build failures do not stop the other apps; they are returned in the
 * result (with the log tail) and the command exits 1 after the rest finish.
 * Problems that affect every app (bad input, no credentials, registry
 * unreachable, no builder) are thrown.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { repositoryName, targetPlatform } from '../../lib/config/index.js';
import { repositoryOutputKey } from '../../lib/outputs.js';
import { mapConcurrent } from '../lib/concurrency.js';
import { createContext, type CommandContext } from '../lib/context.js';
import { ExitCode, plural, QuietExit, WorkError } from '../lib/errors.js';
import { run, type Runner } from '../lib/exec.js';
import { imageRef, imageStatePath, writeImageState, type ImageState } from '../lib/image-state.js';
import { marks } from '../lib/io-host.js';
import { positiveNumber } from '../lib/options.js';
import { buildOne, builderFromEnv, defaultConcurrency, resolveBuildPaths, selectApps, type AppPushResult, type Plan, type PushResult } from '../push/build.js';
import { BUILDERS, detectBuilder, openSession, type BuilderName, type BuilderSession } from '../push/builders.js';
import { gitRevision } from '../push/git.js';
import {
  ecrCredentials,
  ecrImageDigest,
  overrideRepository,
  parseRegistryOverride,
  REGISTRY_ENV,
  registryManifestDigest,
  splitRepository,
  type RegistryCredentials,
} from '../push/registry.js';
import { computeTag } from '../push/tag.js';
import { runApply, type ApplyResult } from './apply.js';

interface PushFlags {
  builder?: BuilderName;
  concurrency?: number;
  registry?: string;
  apply: boolean;
  json?: boolean;
}


export function pushCommand(): Command {
  return new Command('push')
    .description('build and push app images to ECR (only those whose inputs changed), then roll them out with apply')
    .argument('[apps...]', 'app ids to push (default: every app in the config)')
    .addOption(new Option('--builder <name>', 'image builder (default: SHINYKIT_BUILDER, else docker if its engine runs, else podman)').choices(BUILDERS))
    .option('--concurrency <n>', `builds at once (default: ${defaultConcurrency()}, from the CPU count)`, positiveNumber('--concurrency', true))
    .option('--registry <host[:port][/prefix]>', `push to this registry instead of ECR (also ${REGISTRY_ENV}); write http://host:port for a plain-HTTP test registry`)
    .option('--no-apply', 'only build and push; do not roll the images out')
    .option('--json', 'print a JSON summary: {apps:[{id, tag, digest, image, built, pushed, status, error?}]}')
    .addHelpText(
      'after',
      [
        '',
        'Tags: each image is tagged with a hash of its build inputs (the context minus',
        '.dockerignore, the Dockerfile, build args, the target platform). A tag already in',
        'the repository is neither built nor pushed again, so a push with nothing changed',
        'takes about a second. The git commit is recorded as the image label',
        'org.opencontainers.image.revision (not hashed: a new commit alone rebuilds nothing).',
        '',
        'Registry override: --registry (or SHINYKIT_REGISTRY) sends images to',
        '<registry>/<name>/<app-id> instead of the ECR repository named in the stack',
        'outputs, and checks tags there over the registry HTTP API (v2). The login is',
        'still user AWS with the ECR authorization token, so the registry must accept it',
        '(a mirror, or a test registry). Without stack outputs, set region in',
        'shinykit.yaml or pass --region.',
        '',
        'Podman on machines without overlay storage or user namespaces (as in CI):',
        '  SHINYKIT_PODMAN_STORAGE_DRIVER (e.g. vfs), SHINYKIT_PODMAN_ROOT,',
        '  SHINYKIT_PODMAN_RUNROOT, SHINYKIT_PODMAN_ISOLATION (e.g. chroot).',
        '',
        'Build logs: .shinykit/logs/push-<app-id>.log beside the config file.',
      ].join('\n'),
    )
    .action(async (apps: string[], flags: PushFlags, cmd: Command) => {
      const ctx = createContext(cmd);
      let rollout: ApplyResult | undefined;
      const result = await runPush(
        { apps, builder: flags.builder, concurrency: flags.concurrency, registry: flags.registry, apply: flags.apply },
        ctx,
        // The rollout: render with the digests just recorded and deliver them to the host.
        { apply: async (c) => void (rollout = await runApply({}, c)) },
      );
      report(ctx, result, Boolean(flags.json), rollout);
    });
}

function report(ctx: CommandContext, result: PushResult, json: boolean, rollout?: ApplyResult): void {
  // Failed builds: the tail of each log, after the progress block so they do not interleave.
  for (const app of result.apps.filter((a) => a.status === 'failed')) {
    ctx.out.info(`\n${app.id}: ${app.error}`);
    for (const line of app.tail ?? []) ctx.out.info(`  | ${line}`);
    if (app.log) ctx.out.info(`  full log: ${app.log}`);
    if (app.hint) ctx.out.info(`  hint: ${app.hint}`);
  }
  if (json) {
    ctx.out.json({
      apps: result.apps.map((a) => ({
        id: a.id,
        tag: a.tag,
        digest: a.digest ?? null,
        image: a.image ?? null,
        built: a.built,
        pushed: a.pushed,
        status: a.status,
        ...(a.error ? { error: a.error } : {}),
      })),
      applied: result.applied,
      ...(rollout ? { apply: { status: rollout.status, instanceId: rollout.instanceId, changedFiles: rollout.changedFiles } } : {}),
    });
  } else {
    const m = marks(ctx.out.color);
    for (const a of result.apps) {
      const what = a.status === 'skipped' ? 'unchanged' : a.status === 'pushed' ? 'built and pushed' : 'FAILED';
      ctx.out.result(`${a.status === 'failed' ? m.fail : m.ok} ${a.id}  ${what}  ${a.image ?? `${a.repository}:${a.tag}`}`);
    }
    if (rollout) {
      ctx.out.result(
        rollout.status === 'unchanged'
          ? `${m.ok} rollout: host ${rollout.instanceId} already serves these images`
          : `${m.ok} rollout: host ${rollout.instanceId} accepted the new config (${rollout.changedFiles.join(', ') || 'no file changes'})`,
      );
    }
  }
  if (result.failed > 0) {
    const message = `${plural(result.failed, 'app')} failed to build or push; the others were pushed${result.applied ? '' : ' but not rolled out'}`;
    if (json) throw new QuietExit(ExitCode.Failure);
    throw new WorkError(message, { hint: 'fix the failures above and run `shinykit push` again (unchanged apps are skipped)' });
  }
}

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

export async function runPush(opts: PushOptions, ctx: CommandContext, deps: PushDeps = {}): Promise<PushResult> {
  const runner = deps.runner ?? run;
  const env = deps.env ?? ctx.env;
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
