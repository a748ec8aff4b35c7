import { describe, expect, it } from 'vitest';
import { createProgress, formatElapsed } from '../../../cli/push/progress.js';

describe('push progress', () => {
  it('without a TTY prints one plain line per change, with elapsed time, and no escape codes', () => {
    let t = 0;
    const lines: string[] = [];
    const p = createProgress({ apps: ['a', 'long-app'], interactive: false, write: (s) => lines.push(s), now: () => t });
    p.update('a', 'checking');
    t = 1500;
    p.update('a', 'building', 'sk-1');
    p.update('a', 'building', 'sk-1'); // no change, no line
    t = 4200;
    p.update('long-app', 'skipped', 'sk-2 is already in the registry');
    p.finish();
    expect(lines).toEqual(['a         building   1.5s  sk-1\n', 'long-app  skipped    4.2s  sk-2 is already in the registry\n']);
    expect(lines.join('')).not.toContain('\u001b[');
  });

  it('on a TTY redraws the block of app lines in place', () => {
    const out: string[] = [];
    const p = createProgress({ apps: ['a', 'b'], interactive: true, write: (s) => out.push(s), now: () => 0 });
    p.update('b', 'pushing');
    p.finish();
    expect(out[0]).not.toContain('\u001b[2A');
    expect(out[1]).toMatch(/^\u001b\[2A\u001b\[2Ka +checking/);
    expect(out.at(-1)).toContain('b  pushing');
  });

  it('formats elapsed time in seconds, then minutes', () => {
    expect(formatElapsed(900)).toBe('0.9s');
    expect(formatElapsed(125_000)).toBe('2m05s');
  });
});
