/**
 * `backend: ecs`: the task sizes Fargate accepts, the size each app gets, and the
 * rules that keep a config inside them.
 */
import type { z } from 'zod';
import { appArchitecture } from './derived.js';
import type { AppConfig, Config, ConfigObject } from './schema.js';

/** Fargate's task CPU sizes (the keys of `FARGATE_SIZES`). */
export const FARGATE_CPU_UNITS: readonly number[] = [256, 512, 1024, 2048, 4096, 8192, 16384];
export const FARGATE_CPU_HINT = `expected Fargate CPU units, one of: ${FARGATE_CPU_UNITS.join(', ')} (1024 = 1 vCPU)`;


/**
 * The CPU/memory pairs Fargate accepts for a Linux task: CPU units → allowed
 * memory in MiB. Source: Amazon ECS Developer Guide, "Amazon ECS task definition
 * parameters for Fargate" → "Task size" table (8 and 16 vCPU need platform 1.4.0,
 * which is the default for new tasks).
 */
export const FARGATE_SIZES: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: range(1024, 4096, 1024),
  1024: range(2048, 8192, 1024),
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
  8192: range(16384, 61440, 4096),
  16384: range(32768, 122880, 8192),
};
/** The size an app gets with `backend: ecs` when it names neither fargate nor cpus/memory. */
export const DEFAULT_FARGATE_SIZE = { cpu: 512, memory: 1024 } as const;

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}

/** The ecs section with its defaults (also when the file has none). */
export function ecsSettings(cfg: Config): { egress: 'nat' | 'endpoints'; architecture: 'x86_64' | 'arm64'; logRetentionDays: number } {
  return {
    egress: cfg.ecs?.egress ?? 'nat',
    architecture: appArchitecture(cfg),
    logRetentionDays: cfg.ecs?.logRetentionDays ?? 30,
  };
}

/** Docker memory syntax (512m, 1.5g) in MiB, rounded up. */
export function memoryMiB(memory: string): number {
  const m = /^(\d+(?:\.\d+)?)([kmg])$/i.exec(memory);
  if (!m) throw new Error(`not a Docker memory size: ${memory}`);
  const factor = { k: 1 / 1024, m: 1, g: 1024 }[m[2]!.toLowerCase() as 'k' | 'm' | 'g'];
  return Math.ceil(Number(m[1]) * factor);
}

/**
 * An app's Fargate task size: `fargate` when given; otherwise the smallest
 * valid size holding `cpus` and `memory` (rounded up); otherwise 512/1024.
 * Undefined when cpus/memory exceed every Fargate size.
 */
export function fargateSize(app: AppConfig): { cpu: number; memory: number } | undefined {
  if (app.fargate) return { ...app.fargate };
  if (app.cpus === undefined && app.memory === undefined) return { ...DEFAULT_FARGATE_SIZE };
  const cpu = Math.ceil((app.cpus ?? 0) * 1024);
  const memory = app.memory === undefined ? 0 : memoryMiB(app.memory);
  for (const units of FARGATE_CPU_UNITS) {
    if (units < cpu) continue;
    const fit = FARGATE_SIZES[units]!.find((mib) => mib >= memory);
    if (fit !== undefined) return { cpu: units, memory: fit };
  }
  return undefined;
}

export function checkEcs(cfg: z.output<typeof ConfigObject>, ctx: z.RefinementCtx): void {
  if (cfg.ecs !== undefined && cfg.backend !== 'ecs') {
    ctx.addIssue({ code: 'custom', path: ['ecs'], message: 'the ecs section applies only with backend: ecs; set backend: ecs or remove it' });
  }
  cfg.apps.forEach((app, i) => {
    if (app.fargate && FARGATE_CPU_UNITS.includes(app.fargate.cpu)) {
      const allowed = FARGATE_SIZES[app.fargate.cpu]!;
      if (!allowed.includes(app.fargate.memory)) {
        ctx.addIssue({
          code: 'custom',
          path: ['apps', i, 'fargate', 'memory'],
          message: `Fargate does not run ${app.fargate.cpu} CPU units with ${app.fargate.memory} MiB; with cpu ${app.fargate.cpu} use one of: ${allowed.join(', ')} MiB`,
        });
      }
    }
    if (cfg.backend === 'ecs' && !app.fargate && fargateSize(app) === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['apps', i, app.memory !== undefined ? 'memory' : 'cpus'],
        message: 'no Fargate task size holds these cpus/memory (at most 16 vCPU and 120 GiB); lower them or set apps[].fargate',
      });
    }
  });
}

