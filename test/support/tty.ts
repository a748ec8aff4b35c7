/**
 * Runs the built CLI on a real pseudo-terminal (util-linux `script`) and answers each
 * prompt when it appears, so the terminal path is exercised as a user meets it.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CLI } from './cli.js';

/**
 * `script` found on this process's PATH: a test may give the CLI a PATH without its folder
 * (to hide a tool that lives beside it, as xdg-open does in /usr/bin).
 */
const SCRIPT = (process.env.PATH ?? '').split(':').map((d) => join(d, 'script')).find((f) => existsSync(f)) ?? 'script';

export interface TtyRun {
  readonly code: number;
  /** Everything the terminal showed (stdout and stderr interleaved, as a user sees them). */
  readonly screen: string;
}

export function runCliOnTty(
  args: readonly string[],
  opts: { cwd: string; env?: Record<string, string | undefined>; answers?: Array<[RegExp, string]>; timeoutMs?: number },
): Promise<TtyRun> {
  return new Promise((resolve, reject) => {
    const command = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const child = spawn(SCRIPT, ['-qfec', command, '/dev/null'], {
      cwd: opts.cwd,
      env: { ...process.env, NO_COLOR: '1', CI: '', ...opts.env },
    });
    let screen = '';
    const pending = [...(opts.answers ?? [])];
    let seen = 0; // answer each prompt once: only look at what arrived after the last answer
    const onData = (d: Buffer) => {
      screen += d.toString();
      const next = pending[0];
      if (next && next[0].test(screen.slice(seen))) {
        pending.shift();
        seen = screen.length;
        child.stdin.write(`${next[1]}\n`);
      }
    };
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 240_000);
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, screen: screen.replace(/\r/g, '') });
    });
  });
}
