/**
 * `shinykit push`'s helpers (the command and runPush are in cli/commands/push.ts):
 * which apps to push, where their build inputs are, and building and pushing one
 * app with its log. A failed build is returned with its log tail, not thrown, so
 * the other apps go on.
 */
import { createWriteStream, existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { AppConfig, Config } from '../../lib/config/index.js';
import { UsageError, WorkError } from '../lib/errors.js';
import type { TaskBoard } from '../lib/io-host.js';
import { imageRef } from '../lib/image-state.js';
import { BuildStepError, type BuilderName, type BuilderSession } from './builders.js';
import { REVISION_LABEL } from './git.js';

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

/** One app's build: where its inputs are, where its image goes, and (once hashed) its tag. */
export interface Plan {
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

export function builderFromEnv(env: NodeJS.ProcessEnv): BuilderName | undefined {
  const v = env.SHINYKIT_BUILDER;
  if (!v) return undefined;
  if (v !== 'docker' && v !== 'podman') throw new UsageError(`SHINYKIT_BUILDER="${v}" is not a builder`, { hint: 'use docker or podman' });
  return v;
}

const TAIL_LINES = 30;

/** Builds and pushes one app through `session`, its log in `o.logFile`; a failure is returned, not thrown. */
export async function buildOne(
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
