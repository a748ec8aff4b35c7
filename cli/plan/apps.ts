/**
 * The apps' build inputs as `push` will look for them: each context folder and
 * Dockerfile, relative to shinykit.yaml. A typo here otherwise surfaces only
 * after the deploy, when the first push fails.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { appPort, type Config } from '../../lib/config/index.js';

export interface AppBuildInputs {
  readonly id: string;
  readonly kind: string;
  readonly port: number;
  readonly context: string;
  readonly dockerfile: string;
  /** What is missing, empty when both exist. */
  readonly problems: readonly string[];
}

export function checkAppInputs(cfg: Config, configDir: string): AppBuildInputs[] {
  return cfg.apps.map((app) => {
    const context = resolve(configDir, app.context);
    const dockerfile = app.dockerfile ? resolve(configDir, app.dockerfile) : join(context, 'Dockerfile');
    const problems: string[] = [];
    if (!existsSync(context) || !statSync(context).isDirectory()) {
      problems.push(`build context ${app.context} is not a folder next to the config (resolved to ${context})`);
    } else if (!existsSync(dockerfile)) {
      problems.push(`no Dockerfile at ${dockerfile}; add one or set apps[].dockerfile`);
    }
    return { id: app.id, kind: app.kind, port: appPort(app), context: app.context, dockerfile: app.dockerfile ?? join(app.context, 'Dockerfile'), problems };
  });
}
