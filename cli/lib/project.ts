/**
 * Where the user's project is: the nearest shinykit.yaml at or above the working
 * directory (as git finds .git), and the state kept beside it (cdk-outputs.json,
 * .shinykit/). `--config` and `--outputs` override both (DESIGN.md).
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';

export const CONFIG_FILE = 'shinykit.yaml';
export const OUTPUTS_FILE = 'cdk-outputs.json';

/** The nearest `shinykit.yaml` in `from` or a parent folder; undefined when there is none. */
export function findConfig(from: string = process.cwd()): string | undefined {
  let dir = resolve(from);
  for (;;) {
    const candidate = join(dir, CONFIG_FILE);
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export interface ProjectPaths {
  /** The config file, as messages show it: relative to the working directory when that is shorter. */
  readonly config: string;
  /** The stack outputs file, beside the config unless --outputs names another. */
  readonly outputs: string;
  /** True when no config was given or found: `config` then names ./shinykit.yaml, which does not exist. */
  readonly missing: boolean;
}

/** Resolves --config/--outputs against the working directory, or finds them by walking up. */
export function projectPaths(given: { config?: string; outputs?: string }, cwd: string = process.cwd()): ProjectPaths {
  const found = given.config === undefined ? findConfig(cwd) : undefined;
  const config = given.config ?? (found ? display(found, cwd) : CONFIG_FILE);
  const outputs = given.outputs ?? display(join(dirname(resolve(cwd, config)), OUTPUTS_FILE), cwd);
  return { config, outputs, missing: given.config === undefined && found === undefined };
}

/** `../shinykit.yaml` rather than `/home/ana/project/shinykit.yaml`; the absolute path when it is clearer. */
function display(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel === '' || isAbsolute(rel) || rel.split(/[\\/]/).filter((p) => p === '..').length > 2 ? file : rel;
}
