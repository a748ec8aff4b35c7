/**
 * `apply --dry-run`'s unified diff, checked against GNU diff -u as the oracle
 * (same hunks, same ranges), and the Parameter Store encoding of config sets.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeSet, encodeSet, PART_BYTES, splitUtf8 } from '../../cli/apply/config-set.js';
import { unifiedDiff } from '../../cli/apply/diff.js';

function gnuDiff(a: string, b: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'shinykit-diff-'));
  writeFileSync(join(dir, 'a'), a);
  writeFileSync(join(dir, 'b'), b);
  const res = spawnSync('diff', ['-u', join(dir, 'a'), join(dir, 'b')], { encoding: 'utf8' });
  return res.stdout.split('\n').slice(2).join('\n');
}

const lines = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => `${f(i)}\n`).join('');

describe('unifiedDiff', () => {
  const cases: Array<[string, string, string]> = [
    ['one changed line in the middle', lines(20, (i) => `line ${i}`), lines(20, (i) => (i === 10 ? 'changed' : `line ${i}`))],
    ['changes far apart make two hunks', lines(40, (i) => `l${i}`), lines(40, (i) => (i === 2 || i === 35 ? `x${i}` : `l${i}`))],
    ['changes close together merge into one hunk', lines(20, (i) => `l${i}`), lines(20, (i) => (i === 5 || i === 9 ? `x${i}` : `l${i}`))],
    ['lines added at the end', lines(5, (i) => `l${i}`), lines(8, (i) => `l${i}`)],
    ['lines removed at the start', lines(8, (i) => `l${i}`), lines(8, (i) => `l${i}`).split('\n').slice(3).join('\n')],
    ['a new file', '', lines(3, (i) => `l${i}`)],
    ['a single line replaced', 'a\n', 'b\n'],
  ];
  for (const [name, a, b] of cases) {
    it(`matches diff -u: ${name}`, () => {
      const ours = unifiedDiff(a, b, { a: 'a', b: 'b' }).split('\n').slice(2).join('\n');
      expect(ours).toBe(gnuDiff(a, b));
    });
  }

  it('is empty for equal texts', () => {
    expect(unifiedDiff('same\n', 'same\n', { a: 'a', b: 'b' })).toBe('');
  });
});

describe('config sets in Parameter Store', () => {
  it('splits on UTF-8 byte limits without cutting a character, and rebuilds exactly', () => {
    const text = `${'a'.repeat(PART_BYTES - 1)}é${'ü'.repeat(3000)}\n`;
    const parts = splitUtf8(text);
    for (const p of parts) expect(Buffer.byteLength(p, 'utf8')).toBeLessThanOrEqual(PART_BYTES);
    expect(parts.join('')).toBe(text);
    expect(parts[0]).toBe('a'.repeat(PART_BYTES - 1));

    const files = { 'nginx/shinyproxy.conf': 'server {}\n', 'shinyproxy/application.yml': text };
    const params = new Map(encodeSet('/shinykit/x/', 'config', files));
    expect([...params.keys()].at(-1)).toBe('/shinykit/x/config/manifest');
    expect(decodeSet('/shinykit/x/', 'config', params)).toEqual(files);
    expect(decodeSet('/shinykit/x/', 'candidate', params)).toBeUndefined();
  });

  it('refuses a set whose parts do not match the manifest', () => {
    const params = new Map(encodeSet('/shinykit/x/', 'config', { 'a.conf': 'one\n' }));
    params.set('/shinykit/x/config/a.conf/0', 'two\n');
    expect(() => decodeSet('/shinykit/x/', 'config', params)).toThrow(/does not match its manifest checksum/);
  });
});
