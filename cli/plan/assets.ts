/**
 * Finds files shipped in assets/ (example apps, the price table) both when the
 * CLI runs compiled (dist/cli/...) and from source through tsx (cli/...).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const candidates = [
  new URL('../../../assets/', import.meta.url), // dist/cli/plan/ → repository root
  new URL('../../assets/', import.meta.url), // cli/plan/ → repository root
];

/** Absolute path of the kit's assets/ folder. */
export function assetsDir(): string {
  for (const url of candidates) {
    const dir = fileURLToPath(url);
    if (existsSync(`${dir}examples`)) return dir;
  }
  throw new Error('cannot find the assets/ folder next to the shinykit CLI; reinstall the package');
}
