/**
 * A unified diff of two texts (what `apply --dry-run` prints). The files are a
 * few hundred lines at most, so a plain longest-common-subsequence table is
 * fast enough and keeps this dependency-free.
 */

type Op = { kind: ' ' | '-' | '+'; line: string; a: number; b: number };

function lines(text: string): string[] {
  if (text === '') return [];
  const out = text.split('\n');
  if (out[out.length - 1] === '') out.pop();
  return out;
}

function edits(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  // lcs[i][j] = length of the LCS of a[i..] and b[j..]
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) ops.push({ kind: ' ', line: a[i]!, a: i++, b: j++ });
    else if (j < m && (i === n || lcs[i]![j + 1]! > lcs[i + 1]![j]!)) ops.push({ kind: '+', line: b[j]!, a: i, b: j++ });
    else ops.push({ kind: '-', line: a[i]!, a: i++, b: j });
  }
  return ops;
}

/** `--- a` / `+++ b` / `@@ … @@` hunks with `context` lines around each change; '' when equal. */
export function unifiedDiff(before: string, after: string, labels: { a: string; b: string }, context = 3): string {
  if (before === after) return '';
  const ops = edits(lines(before), lines(after));
  const changed = ops.map((op, idx) => (op.kind === ' ' ? -1 : idx)).filter((idx) => idx >= 0);
  if (changed.length === 0) return '';
  const out = [`--- ${labels.a}`, `+++ ${labels.b}`];
  let k = 0;
  while (k < changed.length) {
    const start = Math.max(0, changed[k]! - context);
    let end = Math.min(ops.length - 1, changed[k]! + context);
    while (k + 1 < changed.length && changed[k + 1]! - context <= end + 1) {
      k++;
      end = Math.min(ops.length - 1, changed[k]! + context);
    }
    k++;
    const hunk = ops.slice(start, end + 1);
    const aLines = hunk.filter((o) => o.kind !== '+').length;
    const bLines = hunk.filter((o) => o.kind !== '-').length;
    const aStart = aLines === 0 ? hunk[0]!.a : hunk[0]!.a + 1;
    const bStart = bLines === 0 ? hunk[0]!.b : hunk[0]!.b + 1;
    // GNU diff's spelling: a count of 1 is left out.
    const range = (start: number, count: number) => (count === 1 ? `${start}` : `${start},${count}`);
    out.push(`@@ -${range(aStart, aLines)} +${range(bStart, bLines)} @@`);
    for (const op of hunk) out.push(`${op.kind}${op.line}`);
  }
  return `${out.join('\n')}\n`;
}
