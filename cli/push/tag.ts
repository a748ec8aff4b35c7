/**
 * The image tag is a content hash of everything the image is built from, so an
 * unchanged app maps to a tag that already exists and `push` can skip it.
 *
 * Hashed: every file the builder would receive (the build context filtered by
 * .dockerignore, the way Docker filters it), each file's path, permission bits
 * and bytes; directories (empty ones are copied too); symlinks as their target
 * text (Docker sends them unresolved); the Dockerfile's bytes (it may live
 * outside the context); the build args; the target platform.
 * Not hashed: mtimes and ownership (Docker's own cache ignores them), and the
 * git commit, which is only a label: a new commit that changes nothing in the
 * context must not force a rebuild. The image therefore carries the revision
 * it was first built from.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type { Ignore } from '@balena/dockerignore';
import { mapConcurrent } from '../lib/concurrency.js';

// CommonJS whose types declare an ES default export: under NodeNext the default import
// type-checks as the module object, so load the factory with require.
const ignore = createRequire(import.meta.url)('@balena/dockerignore') as () => Ignore;

/** Bump when the hashed inputs change meaning, so old tags are not reused wrongly. */
const SCHEME = 'shinykit-image-tag-v1';
/** Tag prefix: tells a human the tag is ours and not a version number. */
const TAG_PREFIX = 'sk-';
/** 96 bits of the sha256: collision-free for any realistic number of builds. */
const TAG_HEX_CHARS = 24;
/** Files read at once while hashing (large contexts, many files). */
const READ_CONCURRENCY = 16;

export interface TagInput {
  /** Absolute path of the build context. */
  readonly contextDir: string;
  /** Absolute path of the Dockerfile. */
  readonly dockerfile: string;
  readonly buildArgs?: Readonly<Record<string, string>>;
  /** linux/amd64 or linux/arm64. */
  readonly platform: string;
  /**
   * Absolute directories left out of the hash even if the builder would send
   * them: shinykit's own state (.shinykit/), which changes on every push and
   * would otherwise make the tag change every time when the context is the
   * project folder.
   */
  readonly excludeDirs?: readonly string[];
}

export interface ContextEntry {
  /** Context-relative, '/'-separated. */
  readonly path: string;
  readonly kind: 'file' | 'dir' | 'symlink';
  /** Permission bits (files and dirs). */
  readonly mode: number;
  /** Symlink target text. */
  readonly target?: string;
}

export interface TagResult {
  readonly tag: string;
  /** The full sha256 hex digest the tag is cut from. */
  readonly hash: string;
  /** Files hashed (for messages). */
  readonly files: number;
  /** Context-relative excludeDirs that exist and that .dockerignore does not ignore (worth a warning). */
  readonly excludedButSent: readonly string[];
}

/**
 * The context entries the builder receives, sorted by path. An ignored
 * directory is only walked when some `!pattern` could re-include something in
 * it (Docker's rule); otherwise node_modules, .git and friends cost nothing.
 */
export async function listContext(
  contextDir: string,
  ig: Ignore,
  hasExceptions: boolean,
  exclude: ReadonlySet<string> = new Set(),
  excludedButSent: string[] = [],
): Promise<ContextEntry[]> {
  const out: ContextEntry[] = [];
  const walk = async (rel: string): Promise<void> => {
    const names = await readdir(rel ? join(contextDir, rel) : contextDir);
    await Promise.all(
      names.map(async (name) => {
        const path = rel ? `${rel}/${name}` : name;
        const st = await lstat(join(contextDir, path));
        const ignored = ig.ignores(path);
        if (st.isDirectory() && exclude.has(join(contextDir, path))) {
          if (!ignored) excludedButSent.push(path);
          return;
        }
        if (st.isDirectory()) {
          if (!ignored) out.push({ path, kind: 'dir', mode: st.mode & 0o7777 });
          if (!ignored || hasExceptions) await walk(path);
        } else if (ignored) {
          return;
        } else if (st.isSymbolicLink()) {
          out.push({ path, kind: 'symlink', mode: 0, target: await readlink(join(contextDir, path)) });
        } else if (st.isFile()) {
          out.push({ path, kind: 'file', mode: st.mode & 0o7777 });
        }
        // Sockets, FIFOs and devices are not sent by builders either.
      }),
    );
  };
  await walk('');
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The content-hash tag for one app's image. */
export async function computeTag(input: TagInput): Promise<TagResult> {
  const ignoreText = await readIgnoreText(input.contextDir, input.dockerfile);
  const ig = ignore().add(ignoreText);
  const hasExceptions = /^\s*!/m.test(ignoreText);
  const excludedButSent: string[] = [];
  const entries = await listContext(input.contextDir, ig, hasExceptions, new Set(input.excludeDirs ?? []), excludedButSent);
  const files = entries.filter((e) => e.kind === 'file');
  const digests = await mapConcurrent(files, READ_CONCURRENCY, (e) => sha256File(join(input.contextDir, e.path)));
  const fileDigest = new Map(files.map((e, i) => [e.path, digests[i]!]));

  const h = createHash('sha256');
  const field = (...parts: (string | number)[]) => h.update(`${parts.join('\u0000')}\n`);
  field(SCHEME);
  field('platform', input.platform);
  field('dockerfile', await sha256File(input.dockerfile));
  for (const [k, v] of Object.entries(input.buildArgs ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    field('arg', k, v);
  }
  for (const e of entries) {
    if (e.kind === 'file') field('file', e.path, e.mode.toString(8), fileDigest.get(e.path)!);
    else if (e.kind === 'dir') field('dir', e.path, e.mode.toString(8));
    else field('symlink', e.path, e.target ?? '');
  }
  const hash = h.digest('hex');
  return { tag: `${TAG_PREFIX}${hash.slice(0, TAG_HEX_CHARS)}`, hash, files: files.length, excludedButSent };
}

/** BuildKit prefers `<Dockerfile>.dockerignore` beside the Dockerfile over the context's .dockerignore. */
async function readIgnoreText(contextDir: string, dockerfile: string): Promise<string> {
  for (const file of [`${dockerfile}.dockerignore`, join(contextDir, '.dockerignore')]) {
    try {
      return await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return '';
}

function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file)
      .on('error', reject)
      .on('data', (chunk) => h.update(chunk))
      .on('end', () => resolve(h.digest('hex')));
  });
}

