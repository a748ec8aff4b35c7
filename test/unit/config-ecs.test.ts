/**
 * `backend: ecs` in shinykit.yaml: the default stays docker, Fargate sizes are
 * checked against the CPU/memory pairs Fargate accepts, sizes derive from
 * cpus/memory, the architecture follows the host unless set, and every bad
 * value is reported with its path.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_FARGATE_SIZE,
  FARGATE_SIZES,
  appArchitecture,
  ecsSettings,
  fargateSize,
  memoryMiB,
  parseConfig,
  targetPlatform,
} from '../../lib/config/index.js';
import { problemsOf } from '../support/config.js';

const BASE = `name: analytics
tls: { email: ops@example.org }
cognito:
  groups:
    users: {}
apps:
  - id: one
    context: apps/one
    groups: [users]
`;

const withApp = (extra: string, top = 'backend: ecs\n') => `${top}${BASE}${extra}`;

describe('backend', () => {
  it('defaults to docker with no ecs settings, and docker configs keep the host architecture', () => {
    const cfg = parseConfig(BASE);
    expect(cfg.backend).toBe('docker');
    expect(cfg.ecs).toBeUndefined();
    expect(appArchitecture(cfg)).toBe('x86_64');
    expect(targetPlatform(cfg)).toBe('linux/amd64');
  });

  it('accepts backend: ecs without an ecs section and applies the defaults (nat egress, 30 days, host architecture)', () => {
    const cfg = parseConfig(`backend: ecs\n${BASE}`);
    expect(cfg.backend).toBe('ecs');
    expect(ecsSettings(cfg)).toEqual({ egress: 'nat', architecture: 'x86_64', logRetentionDays: 30 });
  });

  it('takes the task architecture from a Graviton host, or from ecs.architecture, and builds images for it', () => {
    const graviton = parseConfig(`backend: ecs\nhost: { instanceType: t4g.small }\n${BASE}`);
    expect(appArchitecture(graviton)).toBe('arm64');
    expect(targetPlatform(graviton)).toBe('linux/arm64');
    const explicit = parseConfig(`backend: ecs\necs: { architecture: arm64, egress: endpoints, logRetentionDays: 90 }\n${BASE}`);
    expect(appArchitecture(explicit)).toBe('arm64');
    expect(targetPlatform(explicit)).toBe('linux/arm64');
    expect(ecsSettings(explicit)).toEqual({ egress: 'endpoints', architecture: 'arm64', logRetentionDays: 90 });
  });
});

describe('Fargate sizes', () => {
  it('encodes the Fargate table: 256 → 512/1024/2048, 512 → 1-4 GiB, 4096 → 8-30 GiB, 16384 → 32-120 GiB in 8 GiB steps', () => {
    expect(FARGATE_SIZES[256]).toEqual([512, 1024, 2048]);
    expect(FARGATE_SIZES[512]).toEqual([1024, 2048, 3072, 4096]);
    expect(FARGATE_SIZES[4096]![0]).toBe(8192);
    expect(FARGATE_SIZES[4096]!.at(-1)).toBe(30720);
    expect(FARGATE_SIZES[8192]).toContain(20480);
    expect(FARGATE_SIZES[8192]).not.toContain(17408);
    expect(FARGATE_SIZES[16384]![1]! - FARGATE_SIZES[16384]![0]!).toBe(8192);
    expect(FARGATE_SIZES[16384]!.at(-1)).toBe(122880);
  });

  it('uses an explicit fargate size as given', () => {
    const cfg = parseConfig(withApp('    fargate: { cpu: 2048, memory: 8192 }\n'));
    expect(fargateSize(cfg.apps[0]!)).toEqual({ cpu: 2048, memory: 8192 });
  });

  it('derives the smallest valid size holding cpus/memory, rounding up', () => {
    const size = (cpus?: number, memory?: string) =>
      fargateSize({ id: 'a', kind: 'shiny', context: '.', groups: ['g'], cpus, memory });
    expect(size()).toEqual(DEFAULT_FARGATE_SIZE);
    expect(size(1, '1g')).toEqual({ cpu: 1024, memory: 2048 });
    expect(size(0.25, '512m')).toEqual({ cpu: 256, memory: 512 });
    expect(size(0.5, '3g')).toEqual({ cpu: 512, memory: 3072 });
    expect(size(undefined, '5g')).toEqual({ cpu: 1024, memory: 5120 });
    expect(size(3)).toEqual({ cpu: 4096, memory: 8192 });
    expect(size(16, '200g')).toBeUndefined();
  });

  it('converts Docker memory sizes to MiB, rounding up', () => {
    expect(memoryMiB('512m')).toBe(512);
    expect(memoryMiB('1.5g')).toBe(1536);
    expect(memoryMiB('1000k')).toBe(1);
  });
});

describe('invalid ecs settings are rejected with their paths', () => {
  const cases: [string, string, string, RegExp][] = [
    ['unknown backend', 'backend: kubernetes\n' + BASE, 'backend', /one of: docker, ecs/],
    ['ecs section without backend: ecs', 'ecs: { egress: nat }\n' + BASE, 'ecs', /only with backend: ecs/],
    ['unknown egress', withApp('', 'backend: ecs\necs: { egress: internet }\n'), 'ecs.egress', /nat, endpoints/],
    ['unknown architecture', withApp('', 'backend: ecs\necs: { architecture: riscv }\n'), 'ecs.architecture', /x86_64, arm64/],
    ['retention CloudWatch refuses', withApp('', 'backend: ecs\necs: { logRetentionDays: 10 }\n'), 'ecs.logRetentionDays', /7, 14, 30/],
    ['unknown key in ecs', withApp('', 'backend: ecs\necs: { natGateways: 2 }\n'), 'ecs.natGateways', /allowed: egress, architecture, logRetentionDays/],
    ['CPU units Fargate lacks', withApp('    fargate: { cpu: 300, memory: 1024 }\n'), 'apps[0].fargate.cpu', /256, 512, 1024/],
    ['memory the CPU size does not allow', withApp('    fargate: { cpu: 256, memory: 4096 }\n'), 'apps[0].fargate.memory', /with cpu 256 use one of: 512, 1024, 2048 MiB/],
    ['memory off the 1 GiB grid', withApp('    fargate: { cpu: 1024, memory: 2500 }\n'), 'apps[0].fargate.memory', /2048, 3072/],
    ['8 vCPU memory off the 4 GiB grid', withApp('    fargate: { cpu: 8192, memory: 17408 }\n'), 'apps[0].fargate.memory', /16384, 20480/],
    ['fractional memory', withApp('    fargate: { cpu: 512, memory: 1024.5 }\n'), 'apps[0].fargate.memory', /whole number of MiB/],
    ['missing memory', withApp('    fargate: { cpu: 512 }\n'), 'apps[0].fargate.memory', /is required/],
    ['unknown key in fargate', withApp('    fargate: { cpu: 512, memory: 1024, gpu: 1 }\n'), 'apps[0].fargate.gpu', /allowed: cpu, memory/],
    ['cpus/memory beyond every Fargate size', withApp('    memory: 200g\n'), 'apps[0].memory', /no Fargate task size/],
  ];
  it.each(cases)('%s', (_name, text, path, message) => {
    const problems = problemsOf(text);
    const hit = problems.find((p) => p.path === path);
    expect(hit, JSON.stringify(problems)).toBeDefined();
    expect(hit!.message).toMatch(message);
    expect(hit!.line).toBeGreaterThan(0);
  });

  it('still checks a fargate pair in docker mode (it is ignored there, but a later switch must not surprise)', () => {
    const problems = problemsOf(withApp('    fargate: { cpu: 256, memory: 4096 }\n', ''));
    expect(problems.map((p) => p.path)).toEqual(['apps[0].fargate.memory']);
  });
});
