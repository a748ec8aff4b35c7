/**
 * Colour follows the stream it is written to, NO_COLOR and --no-color turn it
 * off, --quiet drops notes and progress but never results or warnings.
 * (The same, end to end on a real terminal: test/e2e/cli-conventions.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { createOutput, type OutputSettings } from '../../cli/lib/output.js';

function streams(stdoutTTY: boolean, stderrTTY: boolean) {
  const written = { stdout: '', stderr: '' };
  return {
    written,
    settings: {
      stdout: { isTTY: stdoutTTY, write: (t: string) => (written.stdout += t) },
      stderr: { isTTY: stderrTTY, write: (t: string) => (written.stderr += t) },
    } satisfies OutputSettings,
  };
}

describe('output: colour per stream', () => {
  it('stdout redirected to a file gets no colour while the terminal on stderr does', () => {
    const { settings } = streams(false, true);
    const out = createOutput({ ...settings, env: {} });
    expect(out.color).toBe(false);
    expect(out.errorColor).toBe(true);
  });

  it('a warning is yellow on a terminal and plain when stderr is a file', () => {
    const tty = streams(true, true);
    createOutput({ ...tty.settings, env: {} }).warn('w');
    expect(tty.written.stderr).toBe('\u001b[33mwarning:\u001b[0m w\n');
    const file = streams(true, false);
    createOutput({ ...file.settings, env: {} }).warn('w');
    expect(file.written.stderr).toBe('warning: w\n');
  });

  it('NO_COLOR (non-empty) and --no-color turn colour off on a terminal', () => {
    const { settings } = streams(true, true);
    expect(createOutput({ ...settings, env: { NO_COLOR: '1' } }).color).toBe(false);
    expect(createOutput({ ...settings, env: { NO_COLOR: '' } }).color).toBe(true); // no-color.org: only a non-empty value
    expect(createOutput({ ...settings, env: {}, color: false }).errorColor).toBe(false);
  });
});

describe('output: --quiet and progress', () => {
  it('--quiet drops notes and status lines but keeps results and warnings', () => {
    const { settings, written } = streams(true, true);
    const out = createOutput({ ...settings, env: {}, quiet: true });
    out.info('note');
    out.status?.('working');
    out.result('result');
    out.warn('careful');
    expect(written.stdout).toBe('result\n');
    expect(written.stderr).toBe('\u001b[33mwarning:\u001b[0m careful\n');
    expect(out.interactive).toBe(false);
  });

  it('a status line redraws in place on a terminal and is cleared before a result', () => {
    const { settings, written } = streams(true, true);
    const out = createOutput({ ...settings, env: {} });
    out.status?.('step one');
    out.status?.('step two');
    out.result('done');
    expect(written.stderr).toMatch(/^\r\u001b\[2Kstep one\.\.\. \d+\.\ds\r\u001b\[2Kstep two\.\.\. \d+\.\ds\r\u001b\[2K$/);
    expect(written.stdout).toBe('done\n');
  });

  it('no status lines off a terminal or under CI', () => {
    for (const [tty, env] of [[false, {}], [true, { CI: 'true' }]] as const) {
      const { settings, written } = streams(tty, tty);
      createOutput({ ...settings, env }).status?.('step');
      expect(written.stderr).toBe('');
    }
  });
});
