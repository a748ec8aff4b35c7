/**
 * bench/push: how much a no-change `shinykit push` saves over a full build.
 *
 * Same machine, same run, real parts (built CLI, moto's ECR token, podman with
 * vfs storage and chroot isolation, a local htpasswd docker-registry): three
 * tiny FROM-scratch apps are built and pushed from an empty cache (baseline),
 * then pushed again with nothing changed, then with one app changed.
 * Prints the figures and the ratios against the full build.
 *
 *   npm run bench:push
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { runCli } from '../test/support/cli.js';
import { startMoto, TEST_REGION } from '../test/support/moto.js';
import { createPushProject, podmanTestEnv, startRegistry } from '../test/support/push-registry.js';

const APPS = ['alpha', 'beta', 'gamma'];
const NO_CHANGE_RUNS = 5;

async function main(): Promise<void> {
  const moto = await startMoto();
  const ecr = new ECRClient({ endpoint: moto.url, region: TEST_REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  const auth = await ecr.send(new GetAuthorizationTokenCommand({}));
  const token = Buffer.from(auth.authorizationData![0]!.authorizationToken!, 'base64').toString().split(':')[1]!;
  const registry = await startRegistry(token);
  const storage = mkdtempSync(join(tmpdir(), 'shinykit-bench-podman-'));
  const project = createPushProject({ name: 'bench', apps: APPS });
  const env = { ...moto.env, ...podmanTestEnv(storage) };

  const timed = async (label: string) => {
    const start = process.hrtime.bigint();
    const res = await runCli(['--config', project.config, 'push', '--registry', registry.url, '--no-apply', '--json', '--builder', 'podman'], { env, timeoutMs: 600_000 });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (res.exitCode !== 0) throw new Error(`${label}: push failed (exit ${res.exitCode})\n${res.stderr}`);
    const built = (JSON.parse(res.stdout) as { apps: { built: boolean }[] }).apps.filter((a) => a.built).length;
    return { seconds, built };
  };

  try {
    const full = await timed('full build');
    const noChange: number[] = [];
    for (let i = 0; i < NO_CHANGE_RUNS; i++) {
      const r = await timed('no-change');
      if (r.built !== 0) throw new Error(`no-change push built ${r.built} app(s)`);
      noChange.push(r.seconds);
    }
    writeFileSync(join(project.dir, 'apps', 'beta', 'index.html'), '<h1>beta, changed</h1>\n');
    const oneChanged = await timed('one app changed');

    const median = [...noChange].sort((a, b) => a - b)[Math.floor(noChange.length / 2)]!;
    const f = (s: number) => `${s.toFixed(2)} s`;
    console.log(`shinykit push, ${APPS.length} apps (podman vfs/chroot, local registry, moto ECR token), ${process.env.CI ? 'CI' : 'local'}`);
    console.log(`  full build + push (baseline, ${full.built} built):  ${f(full.seconds)}`);
    console.log(`  no change (median of ${NO_CHANGE_RUNS}, 0 built):        ${f(median)}   (runs: ${noChange.map((s) => s.toFixed(2)).join(', ')})`);
    console.log(`  one app changed (${oneChanged.built} built):             ${f(oneChanged.seconds)}`);
    console.log(`  ratio no-change / full:  ${(median / full.seconds).toFixed(3)}  (${(full.seconds / median).toFixed(1)}x faster)`);
    console.log(`  ratio one-changed / full: ${(oneChanged.seconds / full.seconds).toFixed(3)}`);
    console.log(`  machine load average at the end: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  } finally {
    await registry.stop();
    await moto.stop();
    rmSync(storage, { recursive: true, force: true });
    rmSync(project.dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
