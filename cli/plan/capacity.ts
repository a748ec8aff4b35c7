/**
 * How many app sessions the host holds: its memory, less what the system and ShinyProxy take,
 * divided by each app's container memory limit. Swap (assets/host/shinykit-memory.sh) is a
 * cushion for spikes and is not counted. The heap rule is the one shinykit-memory.sh applies on
 * the host; the system figure is a measured-style estimate for AL2023 with Docker, containerd,
 * nginx, the SSM and CloudWatch agents (about 450 MiB), not a guarantee.
 */
import { DEFAULT_APP_MEMORY, memoryMiB, type Config } from '../../lib/config/index.js';

/** Memory (MiB) by instance size for the families a small kit uses (AWS instance type pages). */
const SIZE_MIB: Record<string, Record<string, number>> = {
  burst: { nano: 512, micro: 1024, small: 2048, medium: 4096, large: 8192, xlarge: 16384, '2xlarge': 32768 },
  general: { medium: 4096, large: 8192, xlarge: 16384, '2xlarge': 32768, '4xlarge': 65536 },
  compute: { medium: 2048, large: 4096, xlarge: 8192, '2xlarge': 16384, '4xlarge': 32768 },
  memory: { medium: 8192, large: 16384, xlarge: 32768, '2xlarge': 65536 },
};
const FAMILY_KIND: Array<[RegExp, keyof typeof SIZE_MIB]> = [
  [/^t[234][ag]?$/, 'burst'],
  [/^m[5-8][aig]?d?n?$/, 'general'],
  [/^c[5-8][aig]?d?n?$/, 'compute'],
  [/^r[5-8][aig]?d?n?$/, 'memory'],
];
export const SYSTEM_RESERVE_MIB = 450;
/** Metaspace, code cache, threads and buffers next to the heap. */
export const JVM_OVERHEAD_MIB = 200;

export function instanceMemoryMiB(instanceType: string): number | undefined {
  const [family = '', size = ''] = instanceType.split('.');
  const kind = FAMILY_KIND.find(([re]) => re.test(family))?.[1];
  return kind ? SIZE_MIB[kind]![size] : undefined;
}

/** ShinyProxy's heap cap on a host with this much memory (shinykit-memory.sh). */
export function shinyProxyHeapMiB(memMiB: number): number {
  return Math.min(2048, Math.max(256, Math.floor(memMiB / 8)));
}

export interface Capacity {
  readonly instanceType: string;
  /** Undefined: an instance type the table does not know, or backend: ecs. */
  readonly memoryMiB?: number;
  readonly shinyProxyMiB?: number;
  readonly forAppsMiB?: number;
  readonly apps: ReadonlyArray<{ readonly id: string; readonly memoryMiB: number; readonly sessions: number }>;
  readonly warnings: readonly string[];
  readonly note?: string;
}

export function describeCapacity(cfg: Config): Capacity {
  const instanceType = cfg.host.instanceType;
  if (cfg.backend === 'ecs') return { instanceType, apps: [], warnings: [], note: 'apps run as Fargate tasks, each with its own memory (backend: ecs)' };
  const mem = instanceMemoryMiB(instanceType);
  if (mem === undefined) return { instanceType, apps: [], warnings: [], note: `the kit does not know ${instanceType}'s memory; capacity not estimated` };
  const shinyProxy = shinyProxyHeapMiB(mem) + JVM_OVERHEAD_MIB;
  const forApps = Math.max(0, mem - SYSTEM_RESERVE_MIB - shinyProxy);
  const apps = cfg.apps.map((a) => {
    const m = memoryMiB(a.memory ?? DEFAULT_APP_MEMORY);
    return { id: a.id, memoryMiB: m, sessions: Math.floor(forApps / m) };
  });
  const warnings: string[] = [];
  const oneEach = apps.reduce((sum, a) => sum + a.memoryMiB, 0);
  if (oneEach > forApps) {
    warnings.push(
      `one session of each app needs ${oneEach} MiB, but ${instanceType} leaves about ${forApps} MiB for apps next to ShinyProxy: ` +
        'lower apps[].memory or choose a larger host.instanceType',
    );
  }
  return { instanceType, memoryMiB: mem, shinyProxyMiB: shinyProxy, forAppsMiB: forApps, apps, warnings };
}

export function formatCapacity(c: Capacity): string[] {
  if (c.memoryMiB === undefined) return [`  ${c.note}`];
  const lines = [
    `  ${c.instanceType}: ${c.memoryMiB} MiB = about ${SYSTEM_RESERVE_MIB} system + ${c.shinyProxyMiB} ShinyProxy (heap capped) + ${c.forAppsMiB} for app sessions; swap as a cushion`,
  ];
  for (const a of c.apps) lines.push(`  about ${a.sessions} concurrent sessions of ${a.id} (${a.memoryMiB} MiB each) on this instance type`);
  for (const w of c.warnings) lines.push(`  warning: ${w}`);
  return lines;
}
