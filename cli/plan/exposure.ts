/**
 * What the deployment exposes, read from the synthesized templates (so it shows
 * what will really be deployed, not what the config intends): inbound ports and
 * who may reach them, who can log in, and which group opens which app.
 */
import type { Config } from '../../lib/config/index.js';
import { resourcesOf, show, type CfnTemplate } from './template.js';

export interface IngressRule {
  /** `443/tcp`, `1000-2000/udp`, `all traffic`. */
  readonly ports: string;
  /** `0.0.0.0/0 (anywhere, IPv4)`, a CIDR, or another security group. */
  readonly source: string;
  readonly anywhere: boolean;
  readonly description?: string;
  /** Logical id of the security group (or SecurityGroupIngress resource). */
  readonly securityGroup: string;
}

export interface LoginPolicy {
  /** True when users cannot sign themselves up: an admin (shinykit users add) creates them. */
  readonly adminCreatedUsersOnly: boolean;
  /** OFF | OPTIONAL | ON, as Cognito names it. */
  readonly mfa: string;
  readonly mfaFactors: readonly string[];
  readonly passwordMinLength?: number;
  readonly featurePlan?: string;
  readonly deletionProtection?: string;
  /** Email + password users of the pool itself may sign in (the client lists COGNITO). */
  readonly localUsers: boolean;
  /** Federated identity providers the pool trusts (Google, OIDC, SAML). */
  readonly providers: ReadonlyArray<{ readonly name: string; readonly type: string }>;
  /** Email domains whose federated users get groups (empty: every federated user). */
  readonly federatedEmailDomains: readonly string[];
}

export interface AppAccess {
  readonly app: string;
  readonly displayName?: string;
  readonly path: string;
  readonly groups: readonly string[];
}

export interface Exposure {
  readonly ingress: readonly IngressRule[];
  readonly sshOpen: boolean;
  readonly login: LoginPolicy | undefined;
  readonly apps: readonly AppAccess[];
  /** Group → apps it opens (admin groups also get the ShinyProxy admin page). */
  readonly groups: ReadonlyArray<{ readonly group: string; readonly apps: readonly string[]; readonly admin: boolean }>;
}

export function describeExposure(cfg: Config, templates: readonly CfnTemplate[]): Exposure {
  const ingress: IngressRule[] = [];
  for (const t of templates) {
    for (const [id, r] of resourcesOf(t, 'AWS::EC2::SecurityGroup')) {
      for (const rule of (r.Properties?.SecurityGroupIngress as unknown[] | undefined) ?? []) ingress.push(toRule(id, rule));
    }
    for (const [id, r] of resourcesOf(t, 'AWS::EC2::SecurityGroupIngress')) ingress.push(toRule(id, r.Properties ?? {}));
  }
  const pool = templates.flatMap((t) => resourcesOf(t, 'AWS::Cognito::UserPool'))[0]?.[1].Properties;
  const clients = templates.flatMap((t) => resourcesOf(t, 'AWS::Cognito::UserPoolClient')).map(([, r]) => r.Properties ?? {});
  const supported = clients.flatMap((c) => (c.SupportedIdentityProviders as unknown[] | undefined) ?? []);
  const providers = templates
    .flatMap((t) => resourcesOf(t, 'AWS::Cognito::UserPoolIdentityProvider'))
    .map(([, r]) => ({ name: show(r.Properties?.ProviderName), type: show(r.Properties?.ProviderType) }));
  const login: LoginPolicy | undefined = pool
    ? {
        adminCreatedUsersOnly: (pool.AdminCreateUserConfig as { AllowAdminCreateUserOnly?: boolean } | undefined)?.AllowAdminCreateUserOnly === true,
        mfa: String(pool.MfaConfiguration ?? 'OFF'),
        mfaFactors: (pool.EnabledMfas as string[] | undefined) ?? [],
        passwordMinLength: (pool.Policies as { PasswordPolicy?: { MinimumLength?: number } } | undefined)?.PasswordPolicy?.MinimumLength,
        featurePlan: pool.UserPoolTier === undefined ? undefined : String(pool.UserPoolTier),
        deletionProtection: pool.DeletionProtection === undefined ? undefined : String(pool.DeletionProtection),
        // Without an explicit list, Cognito allows its own users only.
        localUsers: supported.length === 0 || supported.includes('COGNITO'),
        providers,
        federatedEmailDomains: cfg.cognito.federatedEmailDomains ?? [],
      }
    : undefined;
  const apps = cfg.apps.map((a) => ({ app: a.id, displayName: a.displayName, path: `/app/${a.id}`, groups: a.groups }));
  const groups = Object.keys(cfg.cognito.groups).map((g) => ({
    group: g,
    apps: cfg.apps.filter((a) => a.groups.includes(g)).map((a) => a.id),
    admin: cfg.shinyproxy.adminGroups.includes(g),
  }));
  return { ingress, sshOpen: ingress.some((r) => covers(r, 22)), login, apps, groups };
}

function toRule(securityGroup: string, raw: unknown): IngressRule & { from?: number; to?: number } {
  const r = raw as Record<string, unknown>;
  const proto = String(r.IpProtocol ?? '-1');
  const from = typeof r.FromPort === 'number' ? r.FromPort : undefined;
  const to = typeof r.ToPort === 'number' ? r.ToPort : from;
  const ports =
    proto === '-1'
      ? 'all traffic'
      : from === undefined || (from === 0 && to === 65535) || from === -1
        ? `all ${proto} ports`
        : `${from === to ? from : `${from}-${to}`}/${proto}`;
  let source: string;
  let anywhere = false;
  if (r.CidrIp !== undefined) {
    source = show(r.CidrIp);
    anywhere = source === '0.0.0.0/0';
    if (anywhere) source = '0.0.0.0/0 (anywhere, IPv4)';
  } else if (r.CidrIpv6 !== undefined) {
    source = show(r.CidrIpv6);
    anywhere = source === '::/0';
    if (anywhere) source = '::/0 (anywhere, IPv6)';
  } else if (r.SourceSecurityGroupId !== undefined) source = `security group ${show(r.SourceSecurityGroupId)}`;
  else if (r.SourcePrefixListId !== undefined) source = `prefix list ${show(r.SourcePrefixListId)}`;
  else source = 'unknown';
  return {
    ports,
    source,
    anywhere,
    description: typeof r.Description === 'string' ? r.Description : undefined,
    securityGroup,
    from: proto === '-1' ? 0 : from,
    to: proto === '-1' ? 65535 : to,
  };
}

function covers(rule: IngressRule & { from?: number; to?: number }, port: number): boolean {
  if (rule.ports === 'all traffic') return true;
  if (rule.from === undefined || rule.to === undefined) return rule.ports.startsWith('all ');
  return rule.from <= port && port <= rule.to;
}
