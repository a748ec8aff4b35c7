/**
 * `plan` section "settings and secrets": per app, the names of its plain settings (apps[].env,
 * written into application.yml) and of its secrets (apps[].secrets; references only, never a
 * value), and who can read the values: with the Docker backend the host role (at apply) into a
 * 0600 file that only ShinyProxy's user reads; with ECS the task execution role (at task start).
 */
import { appSecrets, type Config } from '../../lib/config/index.js';
import { appEnvFile } from '../../lib/render/secrets.js';
import type { PlanSection } from './sections.js';

export interface AppSettingsPlan {
  readonly apps: ReadonlyArray<{
    readonly app: string;
    /** apps[].env names: plain text in application.yml. */
    readonly settings: readonly string[];
    readonly secrets: ReadonlyArray<{ readonly name: string; readonly service: 'ssm' | 'secretsmanager'; readonly reference: string }>;
    /** Who reads the values, in order, from the store to the app. */
    readonly readBy: readonly string[];
  }>;
}

export function describeAppSettings(cfg: Config): AppSettingsPlan | undefined {
  const apps = cfg.apps
    .filter((a) => Object.keys(a.env ?? {}).length > 0 || Object.keys(a.secrets ?? {}).length > 0)
    .map((a) => {
      const secrets = appSecrets(a).map(({ env, ref }) => ({ name: env, service: ref.service, reference: ref.reference }));
      const readBy = secrets.length === 0
        ? []
        : cfg.backend === 'ecs'
          ? ['the ECS task execution role, when each task starts (into the container\'s environment)']
          : ['the host\'s instance role, at every `shinykit apply`', `user shinyproxy (ShinyProxy) from ${appEnvFile(a.id)} (mode 0600), when it starts a container`];
      return { app: a.id, settings: Object.keys(a.env ?? {}), secrets, readBy };
    });
  return apps.length > 0 ? { apps } : undefined;
}

export const appSettingsSection: PlanSection<AppSettingsPlan> = {
  key: 'appSettings',
  title: 'Settings and secrets',
  collect: ({ config }) => describeAppSettings(config),
  format: (data) =>
    data.apps.flatMap((a) => [
      `${a.app}:`,
      `  settings: ${a.settings.length ? `${a.settings.join(', ')} (plain text in application.yml)` : '-'}`,
      `  secrets:  ${a.secrets.length ? a.secrets.map((s) => `${s.name} (${s.reference})`).join(', ') : '-'}`,
      ...(a.readBy.length ? [`  values read by: ${a.readBy.join('; then ')}; no other role of the kit may read them`] : []),
    ]),
  summary: (data) => {
    const secrets = data.apps.reduce((n, a) => n + a.secrets.length, 0);
    const settings = data.apps.reduce((n, a) => n + a.settings.length, 0);
    return ['App settings', `${settings} setting(s) and ${secrets} secret(s) in ${data.apps.length} app(s); secret values never in shinykit.yaml, CloudFormation or application.yml`];
  },
};
