/** Resources by stack: type counts, logical ids, and what survives stack deletion. */
import { resourcesOf, type CfnTemplate } from './template.js';

export interface StackResources {
  readonly stack: string;
  readonly total: number;
  /** Sorted by type name. */
  readonly byType: ReadonlyArray<{ readonly type: string; readonly count: number; readonly logicalIds: readonly string[] }>;
  /** Logical ids with DeletionPolicy Retain/RetainExceptOnCreate: left behind by `cdk destroy`. */
  readonly retained: ReadonlyArray<{ readonly logicalId: string; readonly type: string }>;
}

export function summarizeResources(stack: string, template: CfnTemplate): StackResources {
  const groups = new Map<string, string[]>();
  const retained: Array<{ logicalId: string; type: string }> = [];
  for (const [id, r] of resourcesOf(template)) {
    groups.set(r.Type, [...(groups.get(r.Type) ?? []), id]);
    if (r.DeletionPolicy?.startsWith('Retain')) retained.push({ logicalId: id, type: r.Type });
  }
  const byType = [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([type, logicalIds]) => ({ type, count: logicalIds.length, logicalIds }));
  return { stack, total: resourcesOf(template).length, byType, retained };
}
