/**
 * Runs the built CLI (dist/, produced by `npm run build` before the tests) as
 * a child process, the way a user runs it.
 */
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = fileURLToPath(new URL('../../bin/shinykit-cli.js', import.meta.url));

export interface CliResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly cwd?: string;
  readonly env?: Record<string, string | undefined>;
  readonly input?: string;
  readonly timeoutMs?: number;
}

export async function runCli(args: readonly string[], opts: CliOptions = {}): Promise<CliResult> {
  if (!existsSync(new URL('../../dist/cli/index.js', import.meta.url))) {
    throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  }
  const res = await execa(process.execPath, [CLI, ...args], { // the Node running the tests (22 under npm scripts, 24 in CI's second run)
    cwd: opts.cwd ?? ROOT,
    env: { CI: '1', NO_COLOR: '1', ...opts.env },
    input: opts.input,
    stdin: opts.input === undefined ? 'ignore' : undefined,
    reject: false,
    timeout: opts.timeoutMs ?? 120_000,
  });
  return { exitCode: res.exitCode ?? -1, stdout: String(res.stdout), stderr: String(res.stderr) };
}
