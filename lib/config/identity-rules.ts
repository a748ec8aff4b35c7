/**
 * Federated identity: the cross-field rules of the `cognito` section and the values
 * derived from it (provider names, the group mapping the pre-token trigger reads).
 */
import type { z } from 'zod';
import { groupChecker } from './fields.js';
import { GOOGLE_PROVIDER_NAME, SES_ALTERNATE_REGIONS, type CognitoSchema, type IdentityProviderConfig } from './identity-schema.js';
import type { Config } from './schema.js';


/** The trigger's mapping travels in a Lambda environment variable (4 KB for all of them). */
const MAX_MAPPING_JSON = 3000;

type CognitoConfig = z.output<typeof CognitoSchema>;

/** Cognito's provider name: `Google` for Google, the configured name otherwise. */
export function identityProviderName(p: IdentityProviderConfig): string {
  return p.type === 'google' ? GOOGLE_PROVIDER_NAME : p.name;
}

/**
 * The provider the login goes straight to: set when there is exactly one external
 * provider and no local users (the authorize URL then carries `identity_provider=`,
 * which skips Cognito's chooser page).
 */
export function loginIdentityProvider(cfg: Pick<Config, 'cognito'>): string | undefined {
  const providers = cfg.cognito.identityProviders;
  return !cfg.cognito.localUsers && providers.length === 1 ? identityProviderName(providers[0]!) : undefined;
}

/** Whether any provider maps a groups claim into custom:groups. */
export function mapsProviderGroups(cfg: Pick<Config, 'cognito'>): boolean {
  return cfg.cognito.identityProviders.some((p) => p.type !== 'google' && p.attributeMapping?.groups !== undefined);
}

/** Whether the pre-token-generation trigger is needed (mapping or default groups). */
export function needsGroupTrigger(cfg: Pick<Config, 'cognito'>): boolean {
  return Object.keys(cfg.cognito.groupMapping).length > 0 || cfg.cognito.defaultGroups.length > 0;
}

/** Providers whose groups claim is mapped into custom:groups (OIDC and SAML only). */
export function groupSendingProviders(cfg: Pick<Config, 'cognito'>): string[] {
  return cfg.cognito.identityProviders.filter((p) => p.type !== 'google' && p.attributeMapping?.groups !== undefined).map(identityProviderName);
}

/**
 * A groupMapping key as `{ provider, value }`. `EntraID:Sales` names the provider;
 * a plain `Sales` belongs to the one provider that sends groups (and is refused by
 * validate when several do). A prefix that names no configured provider is part of
 * the value (SAML group URNs contain colons).
 */
export function parseMappingKey(cfg: Pick<Config, 'cognito'>, key: string): { provider?: string; value: string } {
  const colon = key.indexOf(':');
  if (colon > 0) {
    const prefix = key.slice(0, colon).trim().toLowerCase();
    const provider = cfg.cognito.identityProviders.map(identityProviderName).find((n) => n.toLowerCase() === prefix);
    if (provider) return { provider, value: key.slice(colon + 1).trim() };
  }
  const senders = groupSendingProviders(cfg);
  return senders.length === 1 ? { provider: senders[0]!, value: key.trim() } : { value: key.trim() };
}

/**
 * The mapping as the trigger reads it: `<provider>:<value>`, both lower-cased
 * (matching is case-insensitive), so a value only counts when it comes from the
 * provider it was written for. Keys without a provider are left out (validate
 * refuses them).
 */
export function triggerGroupMapping(cfg: Pick<Config, 'cognito'>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [key, groups] of Object.entries(cfg.cognito.groupMapping)) {
    const { provider, value } = parseMappingKey(cfg, key);
    if (provider) out[`${provider.toLowerCase()}:${value.toLowerCase()}`] = [...groups];
  }
  return out;
}

/**
 * Providers whose `email` the trigger trusts without `email_verified: true`
 * (trustEmail: true). Google maps email_verified itself; OIDC providers map it
 * when they send it (Entra ID does not); SAML has no such claim.
 */
export function trustedEmailProviders(cfg: Pick<Config, 'cognito'>): string[] {
  return cfg.cognito.identityProviders.filter((p) => p.type !== 'google' && p.trustEmail).map(identityProviderName);
}

export function checkIdentity(cfg: { cognito: CognitoConfig; region?: string }, ctx: z.core.$RefinementCtx): void {
  const cog = cfg.cognito;
  const checkGroup = groupChecker(cog, ctx);

  const names = new Map<string, number>();
  cog.identityProviders.forEach((p, i) => {
    const name = identityProviderName(p);
    const first = names.get(name.toLowerCase());
    if (first !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['cognito', 'identityProviders', i, p.type === 'google' ? 'type' : 'name'],
        message: `duplicate provider "${name}" (also cognito.identityProviders[${first}]); each provider needs its own name`,
      });
    } else names.set(name.toLowerCase(), i);
    if (p.type === 'saml' && (p.metadataUrl === undefined) === (p.metadataFile === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['cognito', 'identityProviders', i],
        message: 'expected exactly one of metadataUrl or metadataFile (the IdP\'s SAML metadata)',
      });
    }
  });

  if (!cog.localUsers && cog.identityProviders.length === 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['cognito', 'localUsers'],
      message: 'localUsers: false needs at least one entry in cognito.identityProviders, or nobody could sign in',
    });
  }

  const seenKeys = new Map<string, string>();
  const senders = groupSendingProviders(cfg);
  for (const [key, targets] of Object.entries(cog.groupMapping)) {
    const parsed = parseMappingKey(cfg, key);
    if (!parsed.provider && senders.length > 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['cognito', 'groupMapping', key],
        message: `several providers send groups (${senders.join(', ')}): prefix the key with the provider it comes from, such as "${senders[0]}:${key}", so another provider cannot claim it`,
      });
    } else if (parsed.provider && !senders.includes(parsed.provider)) {
      ctx.addIssue({
        code: 'custom',
        path: ['cognito', 'groupMapping', key],
        message: `provider ${parsed.provider} sends no groups: set attributeMapping.groups on it, or key the mapping by a provider that does (${senders.join(', ') || 'none'})`,
      });
    }
    const folded = parsed.provider ? `${parsed.provider.toLowerCase()}:${parsed.value.toLowerCase()}` : key.trim().toLowerCase();
    const other = seenKeys.get(folded);
    if (other !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['cognito', 'groupMapping', key],
        message: `"${key}" and "${other}" name the same provider group (matching ignores case, surrounding spaces and a prefix naming the only provider); merge them`,
      });
    } else seenKeys.set(folded, key);
    targets.forEach((g) => checkGroup(['cognito', 'groupMapping', key], g));
  }
  cog.defaultGroups.forEach((g, j) => checkGroup(['cognito', 'defaultGroups', j], g));

  if (Object.keys(cog.groupMapping).length > 0 && !mapsProviderGroups(cfg)) {
    ctx.addIssue({
      code: 'custom',
      path: ['cognito', 'groupMapping'],
      message:
        'groupMapping needs a provider that sends groups: set attributeMapping.groups on an oidc or saml provider (the claim holding the user\'s groups, such as "groups")',
    });
  }
  if (cog.defaultGroups.length > 0 && cog.federatedEmailDomains.length === 0 && cog.identityProviders.some((p) => p.type === 'google')) {
    ctx.addIssue({
      code: 'custom',
      path: ['cognito', 'defaultGroups'],
      message:
        'with a google provider, defaultGroups would open apps to every Google account: set cognito.federatedEmailDomains (e.g. [example.org]) to limit them to your domain',
    });
  }
  if (cog.defaultGroups.length > 0 && cog.identityProviders.length === 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['cognito', 'defaultGroups'],
      message: 'defaultGroups apply to federated users only; add a provider under cognito.identityProviders or assign groups with `shinykit users add --group`',
    });
  }
  if (cog.federatedEmailDomains.length > 0) {
    cog.identityProviders.forEach((p, i) => {
      if (p.type === 'saml' && !p.trustEmail) {
        ctx.addIssue({
          code: 'custom',
          path: ['cognito', 'identityProviders', i, 'trustEmail'],
          message: `SAML sends no email_verified, so with federatedEmailDomains nobody from ${p.name} would get groups: set trustEmail: true if ${p.name} only issues addresses your organisation verified`,
        });
      }
    });
  }
  const email = cog.email;
  if (email?.sesRegion && cfg.region && email.sesRegion !== cfg.region && !SES_ALTERNATE_REGIONS.includes(email.sesRegion)) {
    ctx.addIssue({
      code: 'custom',
      path: ['cognito', 'email', 'sesRegion'],
      message: `Cognito in ${cfg.region} sends through SES in ${cfg.region} or one of ${SES_ALTERNATE_REGIONS.join(', ')}; verify the identity in ${cfg.region} and drop sesRegion`,
    });
  }
  if (email?.sesIdentity !== undefined) {
    const domain = email.from.slice(email.from.lastIndexOf('@') + 1).toLowerCase();
    if (email.sesIdentity.toLowerCase() !== email.from.toLowerCase() && email.sesIdentity.toLowerCase() !== domain) {
      ctx.addIssue({
        code: 'custom',
        path: ['cognito', 'email', 'sesIdentity'],
        message: `expected the from address (${email.from}) or its domain (${domain}): Cognito sends from an identity that covers the from address`,
      });
    }
  }
  const size = JSON.stringify({ m: triggerGroupMapping(cfg), d: cog.defaultGroups, e: cog.federatedEmailDomains, t: trustedEmailProviders(cfg) }).length;
  if (size > MAX_MAPPING_JSON) {
    ctx.addIssue({
      code: 'custom',
      path: ['cognito', 'groupMapping'],
      message: `the mapping is ${size} characters as JSON; at most ${MAX_MAPPING_JSON} fit the trigger's environment: map fewer provider groups`,
    });
  }
}
