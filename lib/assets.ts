/** Where the package's assets/ folder is: the constructs read host files from it at synth, `init` copies the examples, `plan` reads the price table. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `assets/<sub>`, from source (lib/) or from the build (dist/lib/);
 * `marker` is a file that must be in it.
 */
export function assetsDir(sub: string, marker: string): string {
  for (const rel of ['../assets', '../../assets']) {
    const dir = join(import.meta.dirname, rel, sub);
    if (existsSync(join(dir, marker))) return dir;
  }
  throw new Error(`assets/${sub} not found next to lib/ or dist/lib/: the package is incomplete`);
}
