import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { computeTag, type TagInput } from '../../../cli/push/tag.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A small build context: Dockerfile, app files, an ignored folder. */
function context(files: Record<string, string> = {}): TagInput & { dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'shinykit-tag-'));
  dirs.push(dir);
  const all: Record<string, string> = {
    Dockerfile: 'FROM scratch\nCOPY . /app\n',
    '.dockerignore': 'node_modules\n*.log\n!keep.log\n',
    'app.R': 'library(shiny)\n',
    'www/style.css': 'body{}\n',
    'node_modules/pkg/index.js': 'x',
    ...files,
  };
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return { dir, contextDir: dir, dockerfile: join(dir, 'Dockerfile'), platform: 'linux/amd64', buildArgs: { A: '1' } };
}

const tagOf = async (input: TagInput) => (await computeTag(input)).tag;

describe('image tag = content hash of the build inputs', () => {
  it('is stable for the same inputs and looks like sk-<24 hex>', async () => {
    const c = context();
    const a = await tagOf(c);
    expect(a).toMatch(/^sk-[0-9a-f]{24}$/);
    expect(await tagOf(c)).toBe(a);
  });

  it('is the same for two identical contexts created in a different order (order-independent)', async () => {
    const a = context({ 'z.txt': 'z', 'a/b/c.txt': 'c' });
    const b = context();
    // Same files, written in the reverse order.
    writeFileSync(join(b.dir, 'z.txt'), 'z');
    mkdirSync(join(b.dir, 'a', 'b'), { recursive: true });
    writeFileSync(join(b.dir, 'a', 'b', 'c.txt'), 'c');
    expect(await tagOf(a)).toBe(await tagOf(b));
  });

  it('changes when a context file changes', async () => {
    const c = context();
    const before = await tagOf(c);
    writeFileSync(join(c.dir, 'app.R'), 'library(shiny) # edited\n');
    expect(await tagOf(c)).not.toBe(before);
  });

  it('changes when a file is added, removed or renamed', async () => {
    const c = context();
    const t0 = await tagOf(c);
    writeFileSync(join(c.dir, 'new.R'), '');
    const t1 = await tagOf(c);
    rmSync(join(c.dir, 'new.R'));
    writeFileSync(join(c.dir, 'renamed.R'), '');
    const t2 = await tagOf(c);
    expect(new Set([t0, t1, t2]).size).toBe(3);
  });

  it('changes when an empty directory appears (COPY copies it)', async () => {
    const c = context();
    const before = await tagOf(c);
    mkdirSync(join(c.dir, 'data'));
    expect(await tagOf(c)).not.toBe(before);
  });

  it('changes when a file mode changes (COPY keeps permission bits)', async () => {
    const c = context();
    const before = await tagOf(c);
    chmodSync(join(c.dir, 'app.R'), 0o755);
    expect(await tagOf(c)).not.toBe(before);
  });

  it('records a symlink by its target and does not follow it', async () => {
    const c = context({ 'real.txt': 'one' });
    symlinkSync('real.txt', join(c.dir, 'link.txt'));
    const before = await tagOf(c);
    rmSync(join(c.dir, 'link.txt'));
    symlinkSync('app.R', join(c.dir, 'link.txt'));
    expect(await tagOf(c)).not.toBe(before);
    // A dangling link is fine too (the builder sends it as a link).
    symlinkSync('/nowhere', join(c.dir, 'dangling'));
    await expect(tagOf(c)).resolves.toMatch(/^sk-/);
  });

  it('changes when the Dockerfile changes, also one outside the context', async () => {
    const c = context();
    const before = await tagOf(c);
    writeFileSync(c.dockerfile, 'FROM scratch\nCOPY . /srv\n');
    const inside = await tagOf(c);
    expect(inside).not.toBe(before);
    const outside = join(mkdtempSync(join(tmpdir(), 'shinykit-df-')), 'app.Dockerfile');
    dirs.push(join(outside, '..'));
    writeFileSync(outside, 'FROM scratch\nCOPY . /srv\n');
    const t1 = await tagOf({ ...c, dockerfile: outside });
    writeFileSync(outside, 'FROM scratch\nCOPY . /opt\n');
    expect(await tagOf({ ...c, dockerfile: outside })).not.toBe(t1);
  });

  it('changes when a build arg or the platform changes, but not with build-arg order', async () => {
    const c = context();
    const base = await tagOf({ ...c, buildArgs: { A: '1', B: '2' } });
    expect(await tagOf({ ...c, buildArgs: { B: '2', A: '1' } })).toBe(base);
    expect(await tagOf({ ...c, buildArgs: { A: '1', B: '3' } })).not.toBe(base);
    expect(await tagOf({ ...c, buildArgs: { A: '1' } })).not.toBe(base);
    expect(await tagOf({ ...c, buildArgs: { A: '1', B: '2' }, platform: 'linux/arm64' })).not.toBe(base);
  });

  it('ignores changes to files excluded by .dockerignore', async () => {
    const c = context({ 'debug.log': 'one' });
    const before = await tagOf(c);
    writeFileSync(join(c.dir, 'debug.log'), 'two');
    writeFileSync(join(c.dir, 'node_modules', 'pkg', 'index.js'), 'changed');
    writeFileSync(join(c.dir, 'other.log'), 'new ignored file');
    expect(await tagOf(c)).toBe(before);
  });

  it('honours !exceptions in .dockerignore (a re-included file counts)', async () => {
    const c = context({ 'keep.log': 'one' });
    const before = await tagOf(c);
    writeFileSync(join(c.dir, 'keep.log'), 'two');
    expect(await tagOf(c)).not.toBe(before);
  });

  it('changes when .dockerignore stops excluding a file', async () => {
    const c = context({ 'debug.log': 'x' });
    const before = await tagOf(c);
    writeFileSync(join(c.dir, '.dockerignore'), 'node_modules\n');
    expect(await tagOf(c)).not.toBe(before);
  });

  it('uses <Dockerfile>.dockerignore over the context .dockerignore, as BuildKit does', async () => {
    const c = context({ 'debug.log': 'one' });
    writeFileSync(`${c.dockerfile}.dockerignore`, 'node_modules\n*.log\nwww\n');
    const before = await tagOf(c);
    writeFileSync(join(c.dir, 'www', 'style.css'), 'changed');
    expect(await tagOf(c)).toBe(before);
  });
});

describe('shinykit state inside the context', () => {
  it('leaves .shinykit/ out of the hash (it changes on every push) and reports it when .dockerignore lets it through', async () => {
    const c = context();
    const state = join(c.dir, '.shinykit');
    mkdirSync(state);
    writeFileSync(join(state, 'images.json'), '{}');
    const first = await computeTag({ ...c, excludeDirs: [state] });
    writeFileSync(join(state, 'images.json'), '{"changed":true}');
    const second = await computeTag({ ...c, excludeDirs: [state] });
    expect(second.tag).toBe(first.tag);
    expect(second.excludedButSent).toEqual(['.shinykit']);
    writeFileSync(join(c.dir, '.dockerignore'), 'node_modules\n*.log\n!keep.log\n.shinykit\n');
    expect((await computeTag({ ...c, excludeDirs: [state] })).excludedButSent).toEqual([]);
  });
});
