/**
 * The interactive paths, on a real pseudo-terminal: util-linux `script` runs the
 * built CLI with a tty on stdin and stderr, and feeds it the answers.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { CLI } from '../support/cli.js';
import { CONFIG, freshPoolEachTest } from '../support/users-fixture.js';

const pool = freshPoolEachTest();

/** Runs the CLI on a terminal (not under CI, so progress may animate); `input` is typed into it. */
async function onTerminal(args: readonly string[], input: string): Promise<{ output: string; exitCode: number }> {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, CLI, '--config', CONFIG, '--outputs', pool.outputs, ...args].map(quote).join(' ');
  const res = await execa('script', ['-qec', command, '/dev/null'], {
    input,
    env: { ...pool.moto.env, CI: '', NO_COLOR: '1' },
    reject: false,
    timeout: 120_000,
  });
  return { output: String(res.stdout), exitCode: res.exitCode ?? -1 };
}

describe('shinykit users on a terminal', () => {
  it('remove without --yes asks, keeps the user on "n" and removes on "y"', async () => {
    await pool.seed('kim@example.org');
    const kept = await onTerminal(['users', 'remove', 'kim@example.org'], 'n\n');
    expect(kept.output).toContain('Remove kim@example.org from the user pool? This cannot be undone. [y/N]');
    expect(kept.output).toContain('kept kim@example.org (not confirmed)');
    expect((await pool.snapshot()).has('kim@example.org')).toBe(true);
    const removed = await onTerminal(['users', 'remove', 'kim@example.org'], 'y\n');
    expect(removed.exitCode).toBe(0);
    expect(removed.output).toContain('removed kim@example.org');
    expect((await pool.snapshot()).size).toBe(0);
  });

  it('import shows a progress line that ends at the row count', async () => {
    const file = join(pool.dir, 'few.csv');
    writeFileSync(file, ['email,groups,name', ...Array.from({ length: 12 }, (_, i) => `p${i}@example.org,shiny_users,`)].join('\n'));
    const res = await onTerminal(['users', 'import', file, '--rate', '200'], '');
    expect(res.exitCode).toBe(0);
    expect(res.output).toContain('importing 12/12 rows');
    expect(res.output).toMatch(/imported 12 rows in [\d.]+ s: 12 created/);
  });
});
