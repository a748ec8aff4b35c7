/**
 * The one way the CLI replaces files: each is written under a temporary name
 * next to its target, and only when all were written are they renamed into place
 * (a rename within a directory is atomic). A failure removes the temporary files
 * and leaves every target as it was.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Writes `files` (path → content) all or nothing; throws the file system's error. */
export function writeFilesAtomically(files: ReadonlyMap<string, string | Buffer> | ReadonlyArray<readonly [string, string | Buffer]>): void {
  const staged: Array<[tmp: string, target: string]> = [];
  try {
    for (const [target, content] of files) {
      mkdirSync(dirname(target), { recursive: true });
      const tmp = `${target}.shinykit-${process.pid}.tmp`;
      staged.push([tmp, target]);
      writeFileSync(tmp, content);
    }
  } catch (err) {
    for (const [tmp] of staged) rmSync(tmp, { force: true });
    throw err;
  }
  for (const [tmp, target] of staged) renameSync(tmp, target);
}
