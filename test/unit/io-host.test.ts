/**
 * The I/O host, built from the facts the entry reads (which streams are terminals,
 * CI, NO_COLOR) and fed recording streams: results on stdout, everything else on
 * stderr; colour per stream; progress animates only on a terminal outside CI and
 * is plain lines (or nothing) elsewhere; --quiet drops notes and progress.
 * (The same end to end on a real terminal: test/e2e/cli-conventions.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { createIoHost, formatElapsed, type IoHostSettings } from '../../cli/lib/io-host.js';

const ESC = '\u001b[';

function host(opts: { stdout?: boolean; stderr?: boolean; stdin?: boolean; ci?: boolean; noColor?: boolean; color?: boolean; quiet?: boolean; now?: () => number } = {}) {
  const written = { stdout: '', stderr: '' };
  const settings: IoHostSettings = {
    isTTY: { stdin: opts.stdin ?? false, stdout: opts.stdout ?? false, stderr: opts.stderr ?? false },
    isCI: opts.ci ?? false,
    noColor: opts.noColor ?? false,
    streams: { stdout: { write: (t: string) => (written.stdout += t) }, stderr: { write: (t: string) => (written.stderr += t) } },
    color: opts.color,
    quiet: opts.quiet,
    now: opts.now ?? (() => 0),
  };
  return { io: createIoHost(settings), written };
}

describe('I/O host: where text goes', () => {
  it('results and JSON go to stdout; notes and warnings to stderr', () => {
    const { io, written } = host();
    io.result('r');
    io.json({ a: 1 });
    io.info('note');
    io.warn('careful');
    expect(written.stdout).toBe('r\n{\n  "a": 1\n}\n');
    expect(written.stderr).toBe('note\nwarning: careful\n');
  });

  it('--quiet drops notes and progress but keeps results and warnings', () => {
    const { io, written } = host({ stdout: true, stderr: true, quiet: true });
    io.info('note');
    io.status('working');
    io.step('host: Pending');
    const board = io.tasks(['a']);
    board.update('a', 'building');
    board.finish();
    io.result('result');
    io.warn('careful');
    expect(written.stdout).toBe('result\n');
    expect(written.stderr).toBe(`${ESC}33mwarning:${ESC}0m careful\n`);
    expect(io.interactive).toBe(false);
  });

  it('can prompt only when stdin and stderr are both terminals', () => {
    expect(host({ stdin: true, stderr: true }).io.canPrompt).toBe(true);
    expect(host({ stdin: false, stderr: true }).io.canPrompt).toBe(false);
    expect(host({ stdin: true, stderr: false }).io.canPrompt).toBe(false);
  });
});

describe('I/O host: colour per stream', () => {
  it('stdout redirected to a file gets no colour while the terminal on stderr does', () => {
    const { io } = host({ stdout: false, stderr: true });
    expect(io.color).toBe(false);
    expect(io.errorColor).toBe(true);
  });

  it('a warning is yellow on a terminal and plain when stderr is a file', () => {
    const tty = host({ stdout: true, stderr: true });
    tty.io.warn('w');
    expect(tty.written.stderr).toBe(`${ESC}33mwarning:${ESC}0m w\n`);
    const file = host({ stdout: true, stderr: false });
    file.io.warn('w');
    expect(file.written.stderr).toBe('warning: w\n');
  });

  it('NO_COLOR and --no-color turn colour off on a terminal', () => {
    const noColor = host({ stdout: true, stderr: true, noColor: true });
    expect([noColor.io.color, noColor.io.errorColor]).toEqual([false, false]);
    noColor.io.warn('w');
    expect(noColor.written.stderr).toBe('warning: w\n');
    const flag = host({ stdout: true, stderr: true, color: false });
    expect([flag.io.color, flag.io.errorColor]).toEqual([false, false]);
  });
});

describe('I/O host: progress off a terminal, under CI and with NO_COLOR is plain lines', () => {
  const plainCases = [
    ['stderr is a pipe', { stderr: false }],
    ['CI on a terminal', { stderr: true, ci: true }],
  ] as const;

  for (const [name, facts] of plainCases) {
    it(`${name}: status lines are silent, steps are plain notes once per change, tasks are one plain line per change`, () => {
      let t = 0;
      const { io, written } = host({ ...facts, now: () => t });
      expect(io.interactive).toBe(false);
      io.status('synthesizing');
      io.step('host: Pending');
      io.step('host: Pending'); // the same step again: no repeat
      io.step('host: Success');
      const board = io.tasks(['a', 'long-app'], { quietStart: 'checking' });
      board.update('a', 'checking'); // the silent start
      t = 1500;
      board.update('a', 'building', 'sk-1');
      board.update('a', 'building', 'sk-1'); // no change, no line
      t = 4200;
      board.update('long-app', 'skipped', 'sk-2 is already in the registry');
      board.finish();
      const counter = io.counter('importing', 'rows');
      counter.update(1, 2);
      counter.finish();
      expect(written.stderr).toBe(
        [
          'host: Pending',
          'host: Success',
          'a         building   1.5s  sk-1',
          'long-app  skipped    4.2s  sk-2 is already in the registry',
          '',
        ].join('\n'),
      );
      expect(written.stderr).not.toContain(ESC);
      expect(written.stdout).toBe('');
    });
  }

  it('NO_COLOR on a terminal still animates (colour and animation are separate), without colour codes', () => {
    const { io, written } = host({ stderr: true, noColor: true });
    expect(io.interactive).toBe(true);
    io.warn('w');
    expect(written.stderr).toBe('warning: w\n');
  });
});

describe('I/O host: progress on a terminal animates', () => {
  it('a status line redraws in place with its elapsed time and is cleared before a result', () => {
    let t = 0;
    const { io, written } = host({ stdout: true, stderr: true, now: () => t });
    io.status('step one');
    t = 2300;
    io.status('step two');
    io.result('done');
    expect(written.stderr).toBe(`\r${ESC}2Kstep one... 0.0s\r${ESC}2Kstep two... 2.3s\r${ESC}2K`);
    expect(written.stdout).toBe('done\n');
  });

  it('steps become the status line, redrawn on every poll', () => {
    let t = 0;
    const { io, written } = host({ stderr: true, now: () => t });
    io.step('host: InProgress');
    t = 3000;
    io.step('host: InProgress');
    expect(written.stderr).toBe(`\r${ESC}2Khost: InProgress... 0.0s\r${ESC}2Khost: InProgress... 3.0s`);
  });

  it('tasks redraw their block of lines in place', () => {
    const { io, written } = host({ stderr: true });
    const frames: string[] = [];
    const board = io.tasks(['a', 'b'], { quietStart: 'checking' });
    frames.push(written.stderr);
    board.update('b', 'pushing');
    frames.push(written.stderr.slice(frames[0]!.length));
    board.finish();
    expect(frames[0]).toBe(`${ESC}2Ka  checking   0.0s\n${ESC}2Kb  checking   0.0s\n`);
    expect(frames[1]).toBe(`${ESC}2A${ESC}2Ka  checking   0.0s\n${ESC}2Kb  pushing    0.0s\n`);
  });

  it('a counter rewrites one line, at most every 100 ms but always at the end, and clears it', () => {
    let t = 0;
    const { io, written } = host({ stderr: true, now: () => t });
    const counter = io.counter('importing', 'rows');
    counter.update(1, 3);
    t = 50;
    counter.update(2, 3, true); // too soon to redraw, but its failure is counted
    t = 60;
    counter.update(3, 3); // the last row: always shown
    counter.finish();
    expect(written.stderr).toBe(`\r${ESC}2Kimporting 1/3 rows\r${ESC}2Kimporting 3/3 rows (1 failed)\r${ESC}2K`);
  });
});

describe('formatElapsed', () => {
  it('formats elapsed time in seconds, then minutes', () => {
    expect(formatElapsed(900)).toBe('0.9s');
    expect(formatElapsed(125_000)).toBe('2m05s');
  });
});
