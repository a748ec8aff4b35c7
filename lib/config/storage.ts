/**
 * `apps[].storage`: a directory that outlives the app's container, per user or shared by
 * everyone who opens the app, mounted at `path` inside the container. The same keys serve
 * both backends; how each backend provides it is in lib/render/storage.ts (Docker volumes on
 * the host's disk) and the docs. The rules that span sections are in `checkStorage`.
 */
import { z } from 'zod';

/** Where the storage is mounted when the config names no path: the kit's example images' home. */
export const DEFAULT_STORAGE_PATH = '/home/app/data';
/** The variable the container finds its storage directory in (the README's contract with apps). */
export const STORAGE_DIR_ENV = 'SHINYKIT_STORAGE_DIR';

/**
 * Directories an app must not mount storage over: the image's system files would be hidden
 * by an empty volume and the container would not start (or would run with the wrong files).
 */
const SYSTEM_DIRS = ['/bin', '/boot', '/dev', '/etc', '/lib', '/lib64', '/proc', '/run', '/sbin', '/sys', '/usr', '/var'];

/**
 * Plain absolute paths only: Docker splits a bind on ":", ShinyProxy evaluates "#{" and
 * "${", and "." or ".." segments would resolve somewhere the config does not say (a segment
 * may not start with ".", which rules both out).
 */
const MOUNT_PATH = /^(\/[A-Za-z0-9_][A-Za-z0-9_.-]*)+$/;

const PATH_HINT = 'expected an absolute path inside the container such as /home/app/data (segments of letters, digits, "_", "." and "-", none starting with ".")';

export const StorageSchema = z.strictObject({
  /**
   * `user`: every user gets their own directory, which no other user's session sees (Docker only).
   * `shared`: one directory for the app, read and written by every session of it.
   */
  scope: z.enum(['user', 'shared'], { error: 'expected one of: user, shared' }).default('user'),
  /**
   * Where the directory is mounted in the container (also in SHINYKIT_STORAGE_DIR). The image
   * must contain it, owned by the user the app runs as: Docker gives a new volume the owner and
   * mode of the image's directory.
   */
  path: z
    .string({ error: PATH_HINT })
    .regex(MOUNT_PATH, { error: PATH_HINT })
    .refine((p) => !SYSTEM_DIRS.some((d) => p === d || p.startsWith(`${d}/`)), {
      error: `expected a path outside the image's system directories (${SYSTEM_DIRS.join(', ')}), such as /home/app/data`,
    })
    .default(DEFAULT_STORAGE_PATH),
  /**
   * Expected size in GiB of one user's directory (`scope: user`) or of the shared one. Nothing
   * enforces it: `plan` uses it to check the host's disk (host.volumeGiB) has room.
   */
  sizeGiB: z
    .number({ error: 'expected a size in GiB such as 1 or 0.5' })
    .positive({ error: 'expected a size in GiB greater than 0' })
    .optional(),
});

export type StorageConfig = z.output<typeof StorageSchema>;

interface StorageApp {
  readonly storage?: StorageConfig;
  readonly env?: Readonly<Record<string, string>>;
  readonly seats?: number;
}

/** Cross-field rules: the storage variable is the kit's to set; what each backend can provide. */
export function checkStorage(cfg: { readonly backend: string; readonly apps: readonly StorageApp[] }, ctx: z.RefinementCtx): void {
  cfg.apps.forEach((app, i) => {
    // `seats` (ShinyProxy's minimum-seats-available) starts containers before anyone signs in
    // and shares them between users (containerproxy ProxySharingScaler resolves the spec with
    // no user), so there is no user to mount a directory for.
    if (app.storage?.scope === 'user' && app.seats !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['apps', i, 'storage', 'scope'],
        message: 'per-user storage cannot be used with seats: pre-started containers are shared by users and start before anyone signs in; remove seats, or use scope: shared',
      });
    }
    // On ECS the storage is an EFS access point per app, and ECS allows no directory below an
    // access point per task (lib/constructs/efs-storage.ts): a directory per user cannot be isolated.
    if (app.storage?.scope === 'user' && cfg.backend === 'ecs') {
      ctx.addIssue({
        code: 'custom',
        path: ['apps', i, 'storage', 'scope'],
        message:
          'per-user storage is not available with backend: ecs (EFS gives each app one access point, and ECS cannot mount a per-user directory below it); ' +
          'use scope: shared (one directory for the app), or backend: docker',
      });
    }
    if (app.storage && app.env && STORAGE_DIR_ENV in app.env) {
      ctx.addIssue({
        code: 'custom',
        path: ['apps', i, 'env', STORAGE_DIR_ENV],
        message: `${STORAGE_DIR_ENV} is set by the kit to storage.path (${app.storage.path}); remove it from env`,
      });
    }
  });
}

/**
 * Metadata key on the host's EC2 instance listing the apps whose storage lives on its disk.
 * `plan` reads it from the deployed and the new template (cli/plan/changes.ts) to say which
 * apps' saved data a host replacement deletes; it changes nothing on the instance.
 */
export const HOST_STORAGE_METADATA_KEY = 'shinykit:storage';

export interface HostStorageApp {
  readonly id: string;
  readonly scope: StorageConfig['scope'];
}

/** The apps whose storage is on the host's disk (backend: docker), in config order. */
export function hostStorageApps(cfg: { readonly backend: string; readonly apps: ReadonlyArray<{ readonly id: string; readonly storage?: StorageConfig }> }): HostStorageApp[] {
  if (cfg.backend !== 'docker') return [];
  return cfg.apps.flatMap((a) => (a.storage ? [{ id: a.id, scope: a.storage.scope }] : []));
}
