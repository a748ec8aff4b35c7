/**
 * Changes to a deployed user pool that CloudFormation would start and Cognito
 * refuse, found by comparing the deployed data-stack template (CloudFormation
 * GetTemplate) with the one a deploy would send. Pure: `plan` (with credentials) and
 * `preflight` call it, so the user hears it before a deploy fails halfway.
 *
 * What Cognito refuses, and why it is checked here:
 * - A new domain prefix on a pool that has one. `AWS::Cognito::UserPoolDomain`'s
 *   `Domain` is replace-on-change; CloudFormation creates the new domain before it
 *   deletes the old, and a pool has at most one prefix domain, so the create fails.
 * - Removing a custom attribute, or changing one (type, mutability, constraints):
 *   Cognito has no API for either (only AddCustomAttributes), and the update fails.
 *   The kit declares custom:groups on every pool so no config change does this; a
 *   template from an older kit, or a hand edit, still can.
 */

/** The slice of a CloudFormation template read here. */
export interface TemplateLike {
  readonly Resources?: Record<string, { readonly Type: string; readonly Properties?: Record<string, unknown> }>;
}

export interface RefusedChange {
  /** Stable code, for `--json` and tests. */
  readonly code: 'domain-prefix-changed' | 'custom-attribute-removed' | 'custom-attribute-changed';
  /** Logical id of the resource the change is on. */
  readonly logicalId: string;
  /** One sentence in the user's terms. */
  readonly message: string;
  /** What to do instead. */
  readonly fix: string;
}

const POOL = 'AWS::Cognito::UserPool';
const DOMAIN = 'AWS::Cognito::UserPoolDomain';

export function refusedUserPoolChanges(deployed: TemplateLike, next: TemplateLike): RefusedChange[] {
  return [...domainChanges(deployed, next), ...schemaChanges(deployed, next)];
}

function domainChanges(deployed: TemplateLike, next: TemplateLike): RefusedChange[] {
  const out: RefusedChange[] = [];
  const before = byType(deployed, DOMAIN);
  for (const [id, r] of byType(next, DOMAIN)) {
    const old = before.get(id);
    if (!old) continue;
    const a = old.Properties?.Domain;
    const b = r.Properties?.Domain;
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    out.push({
      code: 'domain-prefix-changed',
      logicalId: id,
      message: `the Cognito domain prefix would change from ${describe(a)} to ${describe(b)}; a user pool has one prefix domain, and CloudFormation creates the new one before deleting the old, so Cognito refuses it and the data stack update fails`,
      fix: `keep the deployed prefix: set cognito.domainPrefix to the prefix in the data stack's CognitoDomainUrl output (https://<prefix>.auth.<region>.amazoncognito.com)`,
    });
  }
  return out;
}

function schemaChanges(deployed: TemplateLike, next: TemplateLike): RefusedChange[] {
  const out: RefusedChange[] = [];
  const before = byType(deployed, POOL);
  for (const [id, r] of byType(next, POOL)) {
    const old = before.get(id);
    if (!old) continue;
    const now = customAttributes(r.Properties);
    for (const [name, attr] of customAttributes(old.Properties)) {
      const kept = now.get(name);
      if (!kept) {
        out.push({
          code: 'custom-attribute-removed',
          logicalId: id,
          message: `the user pool's custom attribute custom:${name} would be removed; Cognito cannot remove a custom attribute, so the update fails`,
          fix: `keep custom:${name} in the pool's schema (shinykit declares custom:groups on every pool: deploy with the current kit's template)`,
        });
      } else if (normalize(attr) !== normalize(kept)) {
        out.push({
          code: 'custom-attribute-changed',
          logicalId: id,
          message: `the user pool's custom attribute custom:${name} would change (${normalize(attr)} → ${normalize(kept)}); Cognito cannot change an existing attribute, so the update fails`,
          fix: `keep custom:${name} as deployed`,
        });
      }
    }
  }
  return out;
}

type Attr = Record<string, unknown>;

/** Custom attributes by name: schema entries that are not Cognito standard attributes. */
function customAttributes(props: Record<string, unknown> | undefined): Map<string, Attr> {
  const schema = Array.isArray(props?.Schema) ? (props!.Schema as Attr[]) : [];
  return new Map(schema.filter((a) => typeof a.Name === 'string' && !STANDARD_ATTRIBUTES.has(a.Name)).map((a) => [a.Name as string, a]));
}

/**
 * An attribute as comparable text: keys sorted, and booleans and numbers as strings
 * (CloudFormation takes `true` and `"true"`, `2048` and `"2048"` alike).
 */
function normalize(a: unknown): string {
  if (a && typeof a === 'object' && !Array.isArray(a)) {
    const entries = Object.entries(a as Attr).sort(([x], [y]) => x.localeCompare(y));
    return `{${entries.map(([k, v]) => `${k}:${normalize(v)}`).join(',')}}`;
  }
  return typeof a === 'string' || typeof a === 'boolean' || typeof a === 'number' ? String(a) : JSON.stringify(a);
}

function byType(t: TemplateLike, type: string): Map<string, { Type: string; Properties?: Record<string, unknown> }> {
  return new Map(Object.entries(t.Resources ?? {}).filter(([, r]) => r.Type === type));
}

/** A Domain value in words: a literal as it is, the kit's derived expression as its pattern. */
function describe(v: unknown): string {
  if (typeof v === 'string') return `"${v}"`;
  const text = JSON.stringify(v);
  if (text && text.includes('AWS::StackId')) {
    const join = (v as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
    const head = join && typeof join[1]?.[0] === 'string' ? join[1][0] : '';
    return `"${head}<data-stack-id>" (derived)`;
  }
  return text ?? 'none';
}

/** Cognito's standard attributes (OIDC claims): everything else in a schema is custom. */
const STANDARD_ATTRIBUTES = new Set([
  'address', 'birthdate', 'email', 'email_verified', 'family_name', 'gender', 'given_name', 'locale', 'middle_name',
  'name', 'nickname', 'phone_number', 'phone_number_verified', 'picture', 'preferred_username', 'profile', 'sub',
  'updated_at', 'website', 'zoneinfo', 'identities',
]);
