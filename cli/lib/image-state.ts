/**
 * The images `shinykit push` last pushed, by digest: `.shinykit/images.json`
 * next to shinykit.yaml. `render` (and so `apply`) pins each app's container
 * image to the digest recorded here. It is deployment state, not source: it is
 * git-ignored, and a missing entry falls back to ECR's newest image.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFilesAtomically } from './atomic-write.js';
import { UsageError } from './errors.js';

export interface PushedImage {
  /** Repository URI without tag: 123.dkr.ecr.eu-west-1.amazonaws.com/analytics/shiny-demo */
  readonly repository: string;
  /** The content-hash tag. */
  readonly tag: string;
  /** sha256:... */
  readonly digest: string;
  /** ISO timestamp of the push (or of the check that found it already pushed). */
  readonly pushedAt: string;
}

export type ImageState = Record<string, PushedImage>;

/** `.shinykit/images.json` beside the config file. */
export function imageStatePath(configFile: string): string {
  return join(dirname(configFile), '.shinykit', 'images.json');
}

/** `<repository>@<digest>`: the reference ShinyProxy specs use. */
export function imageRef(img: Pick<PushedImage, 'repository' | 'digest'>): string {
  return `${img.repository}@${img.digest}`;
}

export function readImageState(configFile: string): ImageState {
  const file = imageStatePath(configFile);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as ImageState;
  } catch (err) {
    throw new UsageError(`${file} is not valid JSON (${(err as Error).message})`, {
      hint: `delete it and run \`shinykit push\` again; it only records what was pushed`,
    });
  }
}

/** Merges `updates` into the state file, replaced atomically. */
export function writeImageState(configFile: string, updates: ImageState): ImageState {
  const file = imageStatePath(configFile);
  const next = { ...readImageState(configFile), ...updates };
  const sorted = Object.fromEntries(Object.entries(next).sort(([a], [b]) => a.localeCompare(b)));
  writeFilesAtomically([[file, `${JSON.stringify(sorted, null, 2)}\n`]]);
  return sorted;
}
