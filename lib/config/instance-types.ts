/** Whether an EC2 instance type exists, with a "did you mean" for a near miss. */
import { EC2_INSTANCE_FAMILIES, EC2_INSTANCE_TYPES_SOURCE } from '../data/ec2-instance-types.js';

export const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;

/**
 * Why an instance type does not exist, or undefined when it does. The list is
 * cfn-lint's (lib/data/ec2-instance-types.ts): every type offered in any region
 * when it was generated. A type AWS launched later is refused until the list is
 * regenerated, and availability in one region is not checked.
 */
export function instanceTypeProblem(type: string): string | undefined {
  const [family = '', size = ''] = type.split('.');
  const sizes = EC2_INSTANCE_FAMILIES[family]?.split(' ');
  if (sizes?.includes(size)) return undefined;
  const known = `(the kit's list of EC2 instance types, from ${EC2_INSTANCE_TYPES_SOURCE})`;
  if (sizes) {
    const near = closest(size, sizes);
    return `there is no ${type}${near ? ` (did you mean ${family}.${near}?)` : ''}; ${family} comes in ${sizes.join(', ')} ${known}`;
  }
  const near = closest(type, Object.entries(EC2_INSTANCE_FAMILIES).flatMap(([f, s]) => s.split(' ').map((x) => `${f}.${x}`)));
  return `there is no EC2 instance type ${type}${near ? ` (did you mean ${near}?)` : ''} ${known}`;
}

/** The candidate within edit distance 2 of `word` (the nearest), if any. */
function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

