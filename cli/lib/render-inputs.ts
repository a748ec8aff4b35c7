/**
 * Gathers what `renderConfigs` needs for a real deployment: the config, the
 * stack outputs (cdk-outputs.json, else DescribeStacks), and each app's image
 * by digest (.shinykit/images.json, else the newest image in its ECR
 * repository). Every problem is reported before anything is written.
 * Used by `shinykit render` and `shinykit apply`.
 */
import { type ECRClient, type ImageDetail, paginateDescribeImages } from '@aws-sdk/client-ecr';
import type { AppConfig, Config } from '../../lib/config/index.js';
import { repositoryName } from '../../lib/config/index.js';
import { repositoryOutputKey, requiredOutputKeys } from '../../lib/outputs.js';
import { RenderError, renderConfigs, type RenderedConfigs } from '../../lib/render/index.js';
import type { CommandContext } from './context.js';
import { UsageError, WorkError } from './errors.js';
import { imageRef, imageStatePath, readImageState } from './image-state.js';
import type { StackOutputs } from './stack-outputs.js';

export interface RenderForDeploymentOptions {
  /** Leave apps without an image out of application.yml (with a warning) instead of failing. */
  readonly allowMissingImages?: boolean;
  /** The host's nginx version, when known (lib/render/nginx.ts httpsListen). */
  readonly nginxVersion?: string;
}

export interface RenderedDeployment {
  readonly files: RenderedConfigs;
  /** App id → image reference by digest, for the apps that are in application.yml. */
  readonly images: Record<string, string>;
}

/** Where an app's image came from, for the log. */
interface ResolvedImage {
  readonly ref: string;
  readonly from: string;
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;

export async function renderForDeployment(ctx: CommandContext, opts: RenderForDeploymentOptions = {}): Promise<RenderedDeployment> {
  const cfg = ctx.config();
  const outputs = await ctx.outputs();
  checkOutputs(cfg, outputs);

  const resolved = await resolveImages(ctx, cfg, outputs);
  const missing = cfg.apps.filter((a) => !resolved.has(a.id)).map((a) => a.id);
  if (missing.length > 0 && !opts.allowMissingImages) {
    throw new UsageError(`no image found for ${missing.length === 1 ? 'app' : 'apps'} ${missing.join(', ')}`, {
      details: missing.map(
        (id) => `${id}: not in ${imageStatePath(ctx.options.config)}, and its ECR repository ${outputs.get(repositoryOutputKey(id))} holds no image`,
      ),
      hint: 'push the images first (`shinykit push`), or pass --allow-missing-images to leave those apps out for now',
    });
  }
  for (const id of missing) {
    ctx.out.warn(`app ${id} has no image yet: it is left out of application.yml until you push one (\`shinykit push\`)`);
  }
  for (const [id, img] of resolved) ctx.out.info(`image for ${id}: ${img.ref} (${img.from})`);

  const images = Object.fromEntries([...resolved].map(([id, img]) => [id, img.ref]));
  // Apps without an image are dropped from the config handed to the renderer, so the YAML stays valid.
  const renderCfg: Config = { ...cfg, apps: cfg.apps.filter((a) => resolved.has(a.id)) };
  try {
    const files = renderConfigs({
      config: renderCfg,
      outputs: outputs.values,
      images,
      source: `${ctx.options.config} (project ${cfg.name}), outputs from ${outputs.source}`,
      nginxVersion: opts.nginxVersion,
    });
    return { files, images };
  } catch (err) {
    if (err instanceof RenderError) {
      throw new UsageError('the config, outputs or images cannot be rendered', {
        details: err.problems,
        hint: 'fix the values named above (outputs come from `npx shinykit deploy`)',
      });
    }
    throw err;
  }
}

/** Every output the CLI relies on must be there, checked up front and all reported at once. */
export function checkOutputs(cfg: Config, outputs: StackOutputs): void {
  const missing = requiredOutputKeys(cfg).filter((k) => outputs.find(k) === undefined);
  if (missing.length === 0) return;
  throw new UsageError(
    `${missing.length === 1 ? 'output' : 'outputs'} ${missing.map((k) => `"${k}"`).join(', ')} missing from ${outputs.source}`,
    {
      details: missing.map((k) => `${k}: not found in ${outputs.source}`),
      hint: 'deploy the current version of the stacks (`npx shinykit deploy`), or pass the right --outputs file',
    },
  );
}

async function resolveImages(ctx: CommandContext, cfg: Config, outputs: StackOutputs): Promise<Map<string, ResolvedImage>> {
  const stateFile = imageStatePath(ctx.options.config);
  const state = readImageState(ctx.options.config);
  const resolved = new Map<string, ResolvedImage>();
  const needEcr: AppConfig[] = [];
  for (const app of cfg.apps) {
    const pushed = state[app.id];
    if (!pushed) {
      needEcr.push(app);
      continue;
    }
    if (typeof pushed.repository !== 'string' || !pushed.repository || typeof pushed.digest !== 'string' || !DIGEST.test(pushed.digest)) {
      throw new UsageError(`${stateFile}: the entry for ${app.id} has no valid repository and sha256 digest`, {
        hint: `delete the entry (or the file) and run \`shinykit push\` again; it only records what was pushed`,
      });
    }
    resolved.set(app.id, { ref: imageRef(pushed), from: stateFile });
  }
  if (needEcr.length > 0) {
    const ecr = (await ctx.aws()).ecr();
    for (const app of needEcr) {
      const newest = await newestImage(ecr, repositoryName(cfg, app));
      if (newest?.imageDigest) {
        const uri = outputs.get(repositoryOutputKey(app));
        const when = newest.imagePushedAt ? `, pushed ${newest.imagePushedAt.toISOString()}` : '';
        resolved.set(app.id, { ref: `${uri}@${newest.imageDigest}`, from: `newest image in ECR${when}` });
      }
    }
  }
  return resolved;
}

/**
 * The most recently pushed image of a repository; tagged images win over
 * untagged ones (build attestations and superseded manifests are untagged).
 * Undefined when the repository is empty or does not exist.
 */
export async function newestImage(ecr: ECRClient, repository: string): Promise<ImageDetail | undefined> {
  const all: ImageDetail[] = [];
  try {
    for await (const page of paginateDescribeImages({ client: ecr }, { repositoryName: repository })) {
      all.push(...(page.imageDetails ?? []));
    }
  } catch (err) {
    if (err instanceof Error && err.name === 'RepositoryNotFoundException') return undefined;
    throw new WorkError(`could not list the images in ECR repository ${repository}: ${(err as Error).message}`, {
      cause: err,
      hint: 'check your AWS credentials and region, or push with `shinykit push` so .shinykit/images.json names the image',
    });
  }
  return pickNewest(all);
}

/** The image `newestImage` picks from a repository's list (pure, so tests give it exact push times). */
export function pickNewest(all: readonly ImageDetail[]): ImageDetail | undefined {
  const tagged = all.filter((d) => (d.imageTags?.length ?? 0) > 0);
  const pool = (tagged.length > 0 ? tagged : all).filter((d) => d.imageDigest);
  // Newest first; the digest breaks ties so the choice is deterministic.
  pool.sort(
    (a, b) =>
      (b.imagePushedAt?.getTime() ?? 0) - (a.imagePushedAt?.getTime() ?? 0) || (a.imageDigest! < b.imageDigest! ? -1 : 1),
  );
  return pool[0];
}
