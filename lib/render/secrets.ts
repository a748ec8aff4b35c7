/**
 * The parts of application.yml that carry an app's secrets — references only, never values.
 *
 * Docker backend: the spec names `container-env-file` (APP_ENV_DIR/<id>.env), which
 * shinykit-apply fills from the references listed under the top-level `shinykit.app-secrets`
 * key. ShinyProxy reads the file when it starts a container (containerproxy
 * AbstractContainerBackend.buildEnv: java.util.Properties, read as the shinyproxy user) and
 * passes the values to Docker with the rest of the environment.
 *
 * ECS backend: containerproxy 1.2 (ShinyProxy 3.2) registers each task definition itself,
 * copying the spec's `ecs-managed-secrets` ({name, value-from}, EcsSpecExtension /
 * EcsManagedSecret) into the container definition's `secrets`, so the ECS agent fetches the
 * values with the execution role when the task starts. `value-from` is a full ARN: ECS takes
 * Secrets Manager secrets only that way (and Parameter Store names only in the same region).
 */
import { appSecrets, type AppConfig, type Config, type SecretRef } from '../config/index.js';
import { APP_ENV_DIR } from './host.js';

/** The file the host writes an app's resolved secrets to. */
export function appEnvFile(appId: string): string {
  return `${APP_ENV_DIR}/${appId}.env`;
}

/** Docker backend: the spec's `container-env-file`, when the app has secrets. */
export function hostSecretSpecFields(app: AppConfig): Record<string, unknown> {
  return app.secrets && Object.keys(app.secrets).length > 0 ? { 'container-env-file': appEnvFile(app.id) } : {};
}

/** Docker backend: `shinykit.app-secrets` (app id → NAME → reference), or undefined when no app has secrets. */
export function hostSecretReferences(cfg: Config): Record<string, Record<string, string>> | undefined {
  const out: Record<string, Record<string, string>> = {};
  for (const app of cfg.apps) {
    if (app.secrets && Object.keys(app.secrets).length > 0) out[app.id] = { ...app.secrets };
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Where an ARN's account and partition come from when the reference is a name: the execution role's ARN. */
export interface ArnContext {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

export function arnContext(region: string, roleArn: string): ArnContext {
  const m = /^arn:(aws[a-z-]*):iam::(\d{12}):/.exec(roleArn);
  return { partition: m?.[1] ?? 'aws', account: m?.[2] ?? '', region };
}

/** The full ARN ECS is given for a reference (the schema requires Secrets Manager secrets by ARN with backend: ecs). */
export function ecsValueFrom(ref: SecretRef, at: ArnContext): string {
  if (ref.arn) return ref.arn;
  if (ref.service === 'ssm') {
    return `arn:${at.partition}:ssm:${at.region}:${at.account}:parameter${ref.name.startsWith('/') ? '' : '/'}${ref.name}`;
  }
  throw new Error(`secret ${ref.reference}: ECS needs a Secrets Manager secret by ARN (the config check should have caught this)`);
}

/** ECS backend: the spec's `ecs-managed-secrets`, when the app has secrets. */
export function ecsSecretSpecFields(app: AppConfig, at: ArnContext): Record<string, unknown> {
  const secrets = appSecrets(app);
  if (secrets.length === 0) return {};
  return { 'ecs-managed-secrets': secrets.map(({ env, ref }) => ({ name: env, 'value-from': ecsValueFrom(ref, at) })) };
}
