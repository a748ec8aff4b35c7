/**
 * The Cognito hosted-UI address `plan` shows. Offline, a derived prefix is only
 * known up to its stack-id part, which the plan names instead of guessing
 * (lib/config/domain-prefix.ts `cognitoDomainPrefix` says how the prefix is formed).
 */
import { cognitoDomainPrefix, isDomainPrefixDerived, type Config } from '../../lib/config/index.js';

export interface SignInDomain {
  /** `https://<prefix>.auth.<region>.amazoncognito.com`, with `<data-stack-id>` / `<region>` where unknown. */
  readonly url: string;
  /** True when the kit derives the prefix (no cognito.domainPrefix). */
  readonly derived: boolean;
  /** The data stack's StackId the prefix was computed from, when one was given. */
  readonly fromStackId?: string;
}

/** Pure: pass the deployed data stack's StackId (DescribeStacks) to get the exact prefix. */
export function describeSignInDomain(cfg: Config, dataStackId?: string): SignInDomain {
  const prefix = cognitoDomainPrefix(cfg, dataStackId);
  return {
    url: `https://${prefix}.auth.${cfg.region ?? '<region>'}.amazoncognito.com`,
    derived: isDomainPrefixDerived(cfg),
    ...(dataStackId ? { fromStackId: dataStackId } : {}),
  };
}

export function formatSignInDomain(d: SignInDomain): string {
  if (!d.derived) return `Sign-in page: ${d.url} (cognito.domainPrefix; it cannot change once deployed)`;
  if (d.fromStackId) return `Sign-in page: ${d.url} (derived from the data stack's id)`;
  return `Sign-in page: ${d.url} (<data-stack-id>: the first 8 hex digits of the data stack's id, fixed at its first deploy; the CognitoDomainUrl output shows it)`;
}
