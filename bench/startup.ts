/**
 * bench/startup: how long a user waits for the CLI and for synthesis, as ratios
 * against a bare `node -e 0` measured in the same run (so a busy or slow machine
 * moves both sides). Four figures, each a whole process as a user starts it:
 *
 *   shinykit --help, shinykit --version   the built CLI (bin/shinykit-cli.js)
 *   shinykit plan                         offline, on the bundled shinykit.yaml
 *   npx cdk synth                         the real CDK CLI running cdk.json's app
 *
 * Rounds are interleaved (every command once per round, bare Node first) and the
 * median is reported, wall clock and CPU (user + system, from the shell's `times`).
 * CPU is the steadier figure on a shared machine.
 *
 *   npm run bench:startup [-- --rounds 5]
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CLI = join(ROOT, 'bin/shinykit-cli.js');
const run = promisify(execFile);

interface Case {
  readonly label: string;
  readonly argv: readonly string[];
  /** Commands that take seconds run fewer rounds. */
  readonly slow?: boolean;
  /** The issue's goal (#18): a ratio against bare Node, or wall seconds on an idle machine. */
  readonly goal?: string;
}

interface Sample {
  readonly wall: number;
  readonly cpu: number;
}

/** Runs argv once under sh, returning wall seconds and the children's user+sys CPU seconds. */
async function sample(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<Sample> {
  const quoted = argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const start = process.hrtime.bigint();
  // `times` prints the shell's own CPU, then its children's: "0m1.234s 0m0.120s".
  const { stdout } = await run('sh', ['-c', `${quoted} >/dev/null 2>&1 || exit 97; times`], { cwd: ROOT, env, maxBuffer: 1 << 20 });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  const children = stdout.trim().split('\n').at(-1)!;
  const cpu = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce((sum, m) => sum + Number(m[1]) * 60 + Number(m[2]), 0);
  return { wall, cpu };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

async function main(): Promise<void> {
  const roundsArg = process.argv.indexOf('--rounds');
  const rounds = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 7;
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds: expected a whole number of rounds, such as 5');
  if (!existsSync(join(ROOT, 'dist/cli/index.js'))) throw new Error('dist/ is missing: run `npm run build` first');

  const outdir = mkdtempSync(join(tmpdir(), 'shinykit-bench-synth-'));
  // Offline, as a newcomer runs plan before any deploy: no credentials, no metadata service.
  const env: NodeJS.ProcessEnv = { ...process.env, AWS_EC2_METADATA_DISABLED: 'true', CI: 'true', NO_COLOR: '1' };
  for (const k of Object.keys(env)) if (k.startsWith('AWS_PROFILE') || k.startsWith('AWS_ACCESS') || k.startsWith('AWS_SECRET')) delete env[k];

  // The Node running this script on both sides (under npm scripts: the node@22 dev dependency).
  const node = process.execPath;
  const bare: Case = { label: 'node -e 0', argv: [node, '-e', '0'] };
  const cases: Case[] = [
    { label: 'shinykit --help', argv: [node, CLI, '--help'], goal: '≤ 2×' },
    { label: 'shinykit --version', argv: [node, CLI, '--version'], goal: '≤ 1.5×' },
    { label: 'shinykit plan', argv: [node, CLI, 'plan'], slow: true, goal: '≤ 4 s' },
    { label: 'npx cdk synth', argv: ['npx', 'cdk', 'synth', '--quiet', '--no-notices', '-o', outdir], slow: true, goal: '≤ 6 s' },
  ];
  const samples = new Map<Case, Sample[]>([[bare, []], ...cases.map((c) => [c, []] as [Case, Sample[]])]);
  const slowRounds = Math.max(1, Math.ceil(rounds / 2));

  try {
    for (let round = 0; round < rounds; round++) {
      process.stderr.write(`round ${round + 1}/${rounds}\n`);
      for (const c of [bare, ...cases]) {
        if (c.slow && round >= slowRounds) continue;
        const s = await sample(c.argv, env).catch((err: Error) => {
          throw new Error(`${c.label} failed: ${err.message}`);
        });
        samples.get(c)!.push(s);
      }
    }
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }

  const base = { wall: median(samples.get(bare)!.map((s) => s.wall)), cpu: median(samples.get(bare)!.map((s) => s.cpu)) };
  const rows = [bare, ...cases].map((c) => {
    const xs = samples.get(c)!;
    const wall = median(xs.map((s) => s.wall));
    const cpu = median(xs.map((s) => s.cpu));
    return {
      what: c.label,
      runs: xs.length,
      'wall s': wall.toFixed(2),
      '× node (wall)': (wall / base.wall).toFixed(1),
      'cpu s': cpu.toFixed(2),
      '× node (cpu)': (cpu / base.cpu).toFixed(1),
      goal: c.goal ?? '',
    };
  });
  console.table(rows);
}

await main();
