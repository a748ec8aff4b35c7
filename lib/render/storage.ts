/**
 * `apps[].storage` in an app's spec (Docker backend): a Docker named volume mounted at
 * storage.path, and SHINYKIT_STORAGE_DIR telling the app where it is.
 *
 * Why named volumes rather than host directories (bind mounts):
 * - Ownership. Docker creates a missing bind source as root:root 0755, so an app that runs as
 *   a non-root user (as it should) cannot write to it, and the host cannot create the
 *   directory beforehand for users it has never seen. A new, empty named volume instead takes
 *   the owner and mode of the image's directory at the mount path ("copy-up": moby's
 *   copyExistingContents ends in copyOwnership), so it is writable by exactly the user the
 *   image says. The contract: the image contains storage.path, owned by its app user.
 * - Names. ShinyProxy passes `container-volumes` to Docker as HostConfig.Binds
 *   (containerproxy DockerEngineBackend), where a source that is not an absolute path names a
 *   volume, created on first use. Volume names allow only [a-zA-Z0-9][a-zA-Z0-9_.-], and
 *   ShinyProxy's user id here is the email (proxy.openid.username-attribute: email), which may
 *   hold "+", "/", "'" and more. Rewriting it character by character would either collide
 *   (a.b@x and a_b@x) or need an escape scheme in SpEL. The per-user key is the Cognito `sub`
 *   instead: `#{oidcUser.subject}`, a UUID that is unique in the pool, never reused, and does
 *   not change when the email does. ShinyProxy's SpEL context holds the OpenID user
 *   (SpecExpressionContext.oidcUser, from the login's principal); if it were missing, the
 *   expression fails and the session does not start, rather than sharing a directory.
 * - Safety. Volumes outlive their containers: ShinyProxy removes an app container with
 *   force-kill only (no removeVolumes), `docker rm -v` would remove anonymous volumes only,
 *   and the host scripts never prune volumes (test/host/storage-host.test.ts holds them to it).
 *
 * App ids are DNS labels ([a-z0-9-]), so "_" separates the parts without ambiguity:
 * shinykit_<app>_shared and shinykit_<app>_user_<sub> can never be the same name.
 */
import { STORAGE_DIR_ENV, type AppConfig } from '../config/index.js';
import type { EcsValues } from './ecs.js';

/** Prefix of every storage volume the kit names (the host's listing and backups key on it). */
export const STORAGE_VOLUME_PREFIX = 'shinykit_';
/** The SpEL ShinyProxy evaluates to the signed-in user's Cognito `sub` when it starts a container. */
export const USER_KEY_EXPRESSION = '#{oidcUser.subject}';

/** The Docker volume an app's storage lives in; per user, with the SpEL ShinyProxy resolves. */
export function storageVolumeName(app: Pick<AppConfig, 'id' | 'storage'>): string | undefined {
  if (!app.storage) return undefined;
  return app.storage.scope === 'shared'
    ? `${STORAGE_VOLUME_PREFIX}${app.id}_shared`
    : `${STORAGE_VOLUME_PREFIX}${app.id}_user_${USER_KEY_EXPRESSION}`;
}

/** Adds the storage mount and SHINYKIT_STORAGE_DIR to a Docker-backend spec (no-op without storage). */
export function addStorageToSpec(spec: Record<string, unknown>, app: AppConfig): void {
  const volume = storageVolumeName(app);
  if (!volume || !app.storage) return;
  spec['container-volumes'] = [`${volume}:${app.storage.path}`];
  const env = (spec['container-env'] as Record<string, string> | undefined) ?? {};
  spec['container-env'] = { ...env, [STORAGE_DIR_ENV]: app.storage.path };
}

/** The comment on each spec's container-volumes in application.yml. */
export const STORAGE_COMMENT = ' A Docker named volume on the host disk (per user: keyed by the Cognito sub); it outlives the container.';

/** The name the task definition gives the EFS volume (ECS volume names: letters, digits, "_" and "-"). */
export const ECS_STORAGE_VOLUME = 'shinykit-storage';

/**
 * `backend: ecs`: the app's EFS access point as the task's volume, mounted at storage.path.
 * Keys as containerproxy reads them (EcsSpecExtension.ecsEfsVolumes, EcsEfsVolume: name,
 * file-system-id, root-directory, transit-encryption, transit-encryption-port,
 * access-point-id, enable-iam); `container-volumes` names the volume ("name:/path").
 * Transit encryption is required with an access point; IAM makes ECS mount with the task
 * role, which may use only this app's access point (lib/constructs/ecs-apps.ts).
 */
export function addEcsStorageToSpec(spec: Record<string, unknown>, app: AppConfig, ecs: EcsValues): void {
  if (!app.storage) return;
  const accessPoint = ecs.storage?.accessPoints[app.id];
  if (!ecs.storage || !accessPoint) throw new Error(`app ${app.id}: no EFS access point (the output check should have caught this)`);
  spec['ecs-efs-volumes'] = [
    { name: ECS_STORAGE_VOLUME, 'file-system-id': ecs.storage.fileSystemId, 'access-point-id': accessPoint, 'transit-encryption': true, 'enable-iam': true },
  ];
  spec['container-volumes'] = [`${ECS_STORAGE_VOLUME}:${app.storage.path}`];
  const env = (spec['container-env'] as Record<string, string> | undefined) ?? {};
  spec['container-env'] = { ...env, [STORAGE_DIR_ENV]: app.storage.path };
}
