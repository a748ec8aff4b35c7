/**
 * Which ECR image `render` pins when images.json has no entry: the choice among a
 * repository's images, with exact push times. (moto records push times in whole
 * seconds, so an end-to-end test could only order two pushes by sleeping; the
 * wiring to ECR is proven in test/e2e/render-cli.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { pickNewest } from '../../cli/lib/render-inputs.js';

const at = (iso: string) => new Date(iso);
const d = (n: number) => `sha256:${String(n).repeat(64)}`;

describe('pickNewest', () => {
  it('picks the most recently pushed of several tagged images', () => {
    const picked = pickNewest([
      { imageDigest: d(1), imageTags: ['old'], imagePushedAt: at('2026-11-30T10:00:00Z') },
      { imageDigest: d(2), imageTags: ['new'], imagePushedAt: at('2026-12-01T10:00:00Z') },
      { imageDigest: d(3), imageTags: ['mid'], imagePushedAt: at('2026-11-30T12:00:00Z') },
    ]);
    expect(picked?.imageDigest).toBe(d(2));
  });

  it('prefers a tagged image over a newer untagged one (attestations, superseded manifests)', () => {
    const picked = pickNewest([
      { imageDigest: d(4), imageTags: ['v1'], imagePushedAt: at('2026-11-30T10:00:00Z') },
      { imageDigest: d(5), imagePushedAt: at('2026-12-01T10:00:00Z') },
    ]);
    expect(picked?.imageDigest).toBe(d(4));
  });

  it('breaks a tie in push time by the smaller digest, whatever the listing order', () => {
    const same = at('2026-12-01T10:00:00Z');
    const a = { imageDigest: d(7), imageTags: ['a'], imagePushedAt: same };
    const b = { imageDigest: d(6), imageTags: ['b'], imagePushedAt: same };
    expect(pickNewest([a, b])?.imageDigest).toBe(d(6));
    expect(pickNewest([b, a])?.imageDigest).toBe(d(6));
  });

  it('returns nothing for an empty repository', () => {
    expect(pickNewest([])).toBeUndefined();
  });
});
