import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'assets/**/*.test.ts'],
    // Synth and end-to-end tests start real processes (cdk, moto_server, nginx, podman).
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores here: more workers only make the CPU-heavy synth tests contend.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
