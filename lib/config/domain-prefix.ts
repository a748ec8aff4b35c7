/** The Cognito hosted-UI domain prefix: configured, or derived from the data stack's id. */
import type { Config } from './schema.js';

/**
 * Stands for the part of a derived domain prefix that only exists once the data
 * stack does (see `cognitoDomainPrefix`). Not a valid DNS label on purpose: it can
 * never be mistaken for, or deployed as, a real prefix.
 */
export const DOMAIN_PREFIX_STACK_ID_PLACEHOLDER = '<data-stack-id>';

/**
 * The Cognito hosted-UI domain prefix (`https://<prefix>.auth.<region>.amazoncognito.com`).
 *
 * - `cognito.domainPrefix` set: exactly that value.
 * - otherwise: `<name>-login-<s>`, where `<s>` is the first group (8 lowercase hex
 *   digits) of the UUID that ends the data stack's StackId
 *   (`arn:aws:cloudformation:<region>:<account>:stack/<name>-data/<s>-xxxx-xxxx-xxxx-xxxxxxxxxxxx`);
 *   `stackIdSuffix` extracts it, and the data stack computes the same value in
 *   CloudFormation (`Fn::Select`/`Fn::Split` over `AWS::StackId`).
 *
 * Why the stack id: prefix domains are unique per region across all AWS accounts, so
 * `<name>-login` alone is likely taken. The StackId is known to CloudFormation without
 * any lookup (synth stays offline and account-agnostic), never changes while the stack
 * exists (updates keep the prefix), and is random per stack (its first UUID group is the
 * low 32 bits of a 100 ns timestamp), so two kits named alike practically never meet;
 * a failed first create retries under a new StackId. Unlike the account id it does not
 * publish the account on every sign-in page, and no one can squat the prefix in advance.
 * The price: before the first deploy the prefix is not known; pass the deployed
 * StackId (DescribeStacks) to get it, and without one the result names the unknown
 * part with `DOMAIN_PREFIX_STACK_ID_PLACEHOLDER`. The deployed value is always in the
 * data stack's `CognitoDomainUrl` output, which the CLI reads.
 * It contains no reserved word: the name is checked, `-login-` and hex digits cannot form one.
 */
export function cognitoDomainPrefix(cfg: Pick<Config, 'name' | 'cognito'>, dataStackId?: string): string {
  if (cfg.cognito.domainPrefix !== undefined) return cfg.cognito.domainPrefix;
  return `${derivedDomainPrefixBase(cfg)}${dataStackId === undefined ? DOMAIN_PREFIX_STACK_ID_PLACEHOLDER : stackIdSuffix(dataStackId)}`;
}

/** The fixed part of a derived domain prefix: `<name>-login-` (the stack-id suffix follows). */
export function derivedDomainPrefixBase(cfg: Pick<Config, 'name'>): string {
  return `${cfg.name}-login-`;
}

/** True when the config leaves the domain prefix to the kit (no `cognito.domainPrefix`). */
export function isDomainPrefixDerived(cfg: Pick<Config, 'cognito'>): boolean {
  return cfg.cognito.domainPrefix === undefined;
}

/**
 * The first group of the UUID ending a CloudFormation StackId ARN (8 lowercase hex
 * digits). Throws on anything else, naming the value.
 */
export function stackIdSuffix(stackId: string): string {
  const m = /^arn:[a-z-]+:cloudformation:[a-z0-9-]+:\d{12}:stack\/[^/]+\/([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.exec(stackId);
  if (!m) throw new Error(`not a CloudFormation StackId: ${JSON.stringify(stackId)} (expected arn:aws:cloudformation:<region>:<account>:stack/<name>/<uuid>)`);
  return m[1]!;
}

