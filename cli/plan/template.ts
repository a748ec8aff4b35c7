/** The small slice of a CloudFormation template that plan reads, and helpers to read it. */

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

export interface CfnTemplate {
  readonly Resources?: Record<string, CfnResource>;
  readonly Outputs?: Record<string, unknown>;
}

export function resourcesOf(t: CfnTemplate, type?: string): Array<[string, CfnResource]> {
  return Object.entries(t.Resources ?? {}).filter(([, r]) => type === undefined || r.Type === type);
}

/** A property value as text: literals as they are, intrinsics as `{Ref X}`-style hints. */
export function show(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'object' && !Array.isArray(value)) {
    const [k, v] = Object.entries(value as Record<string, unknown>)[0] ?? [];
    if (k === 'Ref') return `{${String(v)}}`;
    if (k === 'Fn::GetAtt' && Array.isArray(v)) return `{${v.join('.')}}`;
    if (k === 'Fn::ImportValue') return `{import ${show(v)}}`;
  }
  return JSON.stringify(value);
}
