/**
 * The git commit an image is built from, for the org.opencontainers.image.revision
 * label. Best effort: outside a work tree, or without git, there is no label.
 */
import type { Runner } from '../lib/exec.js';

export const REVISION_LABEL = 'org.opencontainers.image.revision';

export async function gitRevision(runner: Runner, dir: string): Promise<string | undefined> {
  try {
    const res = await runner('git', ['-C', dir, 'rev-parse', '--verify', '--quiet', 'HEAD'], { timeoutMs: 10_000 });
    const sha = res.stdout.trim();
    return /^[0-9a-f]{40,64}$/.test(sha) ? sha : undefined;
  } catch {
    return undefined;
  }
}
