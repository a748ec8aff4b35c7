/**
 * `plan`'s storage section: where each app's `storage` lives, whether the host's disk has
 * room for it, and what a host replacement takes with it.
 *
 * The disk budget: host.volumeGiB, less the system (Amazon Linux, Docker, Java, ShinyProxy,
 * logs under logrotate's caps) and the app images, of which the host keeps the live and the
 * previous version of each for a rollback (shinykit-apply.sh prunes the rest). Image sizes are
 * an estimate (R images with a few packages are 1-2 GiB). Per-user storage counts one
 * directory for every expected user: plan's --mau, the same figure the Cognito estimate uses.
 * Nothing enforces sizeGiB: Docker's local volumes have no quota, so a full disk stops Docker
 * and ShinyProxy for everyone; the README says how to watch it.
 */
import type { Config } from '../../lib/config/index.js';
import { storageVolumeName } from '../../lib/render/storage.js';
import type { PlanFinding, PlanSection, PlanSectionInput } from './sections.js';

/** Amazon Linux 2023 with Docker, Java, nginx, ShinyProxy and capped logs (an estimate). */
export const SYSTEM_DISK_GIB = 4;
/** One app image version (an estimate); the host keeps two per app (live and previous). */
export const IMAGE_GIB = 2;

export interface StoragePlanApp {
  readonly id: string;
  readonly scope: 'user' | 'shared';
  readonly path: string;
  readonly volume: string;
  /** sizeGiB from the config: per user or for the shared directory; undefined when not stated. */
  readonly sizeGiB?: number;
  /** sizeGiB × users (per user) or sizeGiB (shared). */
  readonly neededGiB?: number;
}

export interface StoragePlan {
  /** Where the storage lives: the host's disk (backend: docker) or EFS (backend: ecs). */
  readonly location: 'host' | 'efs';
  readonly volumeGiB: number;
  readonly users: number;
  /** What the system and the images take (estimate). */
  readonly reservedGiB: number;
  readonly availableGiB: number;
  readonly neededGiB: number;
  readonly apps: readonly StoragePlanApp[];
  readonly warnings: readonly string[];
}

export function describeStorage(cfg: Config, users: number): StoragePlan | undefined {
  const location = cfg.backend === 'ecs' ? 'efs' : 'host';
  if (!cfg.apps.some((a) => a.storage)) return undefined;
  const apps: StoragePlanApp[] = cfg.apps.flatMap((a) => {
    if (!a.storage) return [];
    const size = a.storage.sizeGiB;
    const needed = size === undefined ? undefined : a.storage.scope === 'user' ? size * users : size;
    const volume = location === 'efs' ? `EFS access point /apps/${a.id}` : `Docker volume ${storageVolumeName(a)!}`;
    return [{ id: a.id, scope: a.storage.scope, path: a.storage.path, volume, sizeGiB: size, neededGiB: needed }];
  });
  if (location === 'efs') {
    // EFS grows with what is written and is billed per GB-month: no disk to fit into.
    return { location, volumeGiB: cfg.host.volumeGiB, users, reservedGiB: 0, availableGiB: 0, neededGiB: round(apps.reduce((sum, a) => sum + (a.neededGiB ?? 0), 0)), apps, warnings: [] };
  }
  const reservedGiB = SYSTEM_DISK_GIB + 2 * IMAGE_GIB * cfg.apps.length;
  const availableGiB = Math.max(0, cfg.host.volumeGiB - reservedGiB);
  const neededGiB = round(apps.reduce((sum, a) => sum + (a.neededGiB ?? 0), 0));
  const warnings: string[] = [];
  if (neededGiB > availableGiB) {
    const parts = apps.filter((a) => a.neededGiB !== undefined).map((a) => `${a.id} ${round(a.neededGiB!)} GiB${a.scope === 'user' ? ` (${a.sizeGiB} GiB × ${users} users)` : ''}`);
    warnings.push(
      `storage needs about ${neededGiB} GiB (${parts.join(', ')}), but host.volumeGiB ${cfg.host.volumeGiB} leaves about ${availableGiB} GiB ` +
        `after the system and app images: raise host.volumeGiB to at least ${Math.ceil(reservedGiB + neededGiB)}, or lower apps[].storage.sizeGiB`,
    );
  }
  return { location, volumeGiB: cfg.host.volumeGiB, users, reservedGiB, availableGiB, neededGiB, apps, warnings };
}

export function formatStorage(s: StoragePlan): string[] {
  const lines: string[] = [];
  for (const a of s.apps) {
    const who = a.scope === 'user' ? 'one directory per user' : 'one directory shared by all its users';
    const size = a.sizeGiB === undefined ? 'no sizeGiB stated: not counted below' : a.scope === 'user' ? `${a.sizeGiB} GiB each` : `${a.sizeGiB} GiB`;
    lines.push(`  ${a.id}: ${who} at ${a.path} (SHINYKIT_STORAGE_DIR), ${a.volume}; ${size}`);
  }
  if (s.location === 'efs') {
    lines.push(
      `  on one encrypted EFS file system in the data stack (kept when a stack is deleted; AWS Backup daily); it grows with use, ` +
        `billed per GB-month (not in the estimate above); stated sizes come to about ${s.neededGiB} GiB`,
    );
    lines.push('  kept across sessions, `shinykit apply`, host replacement and deleting the host stack');
    return lines;
  }
  lines.push(
    `  host disk: ${s.volumeGiB} GiB = about ${s.reservedGiB} for the system and app images (live + previous) + ${s.availableGiB} for storage; ` +
      `stated sizes need about ${s.neededGiB} GiB for ${s.users} users (--mau)`,
  );
  lines.push('  nothing enforces the sizes: a full disk stops Docker and ShinyProxy for everyone (README, "Storage that persists")');
  lines.push(
    '  kept across container restarts, `shinykit apply` and reboots; LOST when the host is replaced (a deploy that changes the host\'s ' +
      'software or instance type): plan names the apps before such a deploy; back up as the README says',
  );
  for (const w of s.warnings) lines.push(`  warning: ${w}`);
  return lines;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

export const storageSection: PlanSection<StoragePlan> = {
  key: 'storage',
  title: 'Storage that persists',
  collect: (input: PlanSectionInput) => describeStorage(input.config, input.mau ?? 50),
  format: formatStorage,
  summary: (s) => [
    'Storage',
    `${s.apps.map((a) => `${a.id} (${a.scope === 'user' ? 'per user' : 'shared'})`).join(', ')} ` +
      (s.location === 'efs' ? 'on EFS, kept with the data stack' : `on the host disk, ${s.availableGiB} GiB for it; lost if the host is replaced`),
  ],
  findings: (s): PlanFinding[] => s.warnings.map((message) => ({ level: 'warning', source: 'storage', message })),
};
