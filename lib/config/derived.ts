/** Values derived from a loaded config: small pure helpers every consumer shares. */
import { DEFAULT_PORTS, type AppConfig, type Config } from './schema.js';

/** The port the app listens on inside its container. */
export function appPort(app: AppConfig): number {
  if (app.port !== undefined) return app.port;
  if (app.kind === 'custom') throw new Error(`app ${app.id}: custom apps need a port`);
  return DEFAULT_PORTS[app.kind];
}

/** Graviton instance families (t4g, m7g, c6gn, ...) run arm64. */
export function hostArchitecture(cfg: Config): 'arm64' | 'x86_64' {
  const family = cfg.host.instanceType.split('.')[0] ?? '';
  return /^[a-z]+\d+g/.test(family) ? 'arm64' : 'x86_64';
}

/**
 * The architecture app containers run on: the host's, or with `backend: ecs`
 * the Fargate tasks' (`ecs.architecture`, defaulting to the host's).
 */
export function appArchitecture(cfg: Config): 'arm64' | 'x86_64' {
  return (cfg.backend === 'ecs' ? cfg.ecs?.architecture : undefined) ?? hostArchitecture(cfg);
}

/** The platform images are built for, from the architecture the apps run on. */
export function targetPlatform(cfg: Config): 'linux/arm64' | 'linux/amd64' {
  return appArchitecture(cfg) === 'arm64' ? 'linux/arm64' : 'linux/amd64';
}

/** ECR repository name for an app: `<name>/<app-id>`. */
export function repositoryName(cfg: Config, app: AppConfig): string {
  return `${cfg.name}/${app.id}`;
}

/** The group names in declaration order. */
export function groupNames(cfg: Config): string[] {
  return Object.keys(cfg.cognito.groups);
}

