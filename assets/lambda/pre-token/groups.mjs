/**
 * Group mapping for the Cognito pre-token-generation trigger: adds the kit groups
 * a federated user's provider groups map to (cognito.groupMapping) and the
 * default groups (cognito.defaultGroups) to the `cognito:groups` claim, keeping
 * the user's own Cognito group memberships. Pure functions; index.mjs wires them.
 *
 * Plain ESM with no dependencies, so the asset is this folder as it is: no
 * bundler at synth time, and the same bytes give the same asset hash.
 */

/** The user attribute the providers' group claims are mapped into (lib/config/identity-schema.ts GROUPS_ATTRIBUTE). */
export const GROUPS_ATTRIBUTE = 'custom:groups';

/**
 * The provider groups in a `custom:groups` value. Cognito stores a claim that
 * holds a list in one string attribute; depending on the provider it arrives as
 * JSON (`["a","b"]`), Cognito's bracket form (`[a, b]`) or a plain
 * comma-separated or single value. Values are trimmed; empty ones dropped.
 */
export function parseProviderGroups(value) {
  if (typeof value !== 'string') return [];
  const text = value.trim();
  if (text === '') return [];
  if (text.startsWith('[')) {
    try {
      const parsed = JSON.parse(text);
      if (Array.isArray(parsed)) return clean(parsed.map((v) => String(v)));
    } catch {
      // not JSON: Cognito's "[a, b]" form, handled below
    }
    return clean(text.replace(/^\[/, '').replace(/\]$/, '').split(','));
  }
  return clean(text.split(','));
}

function clean(values) {
  return values.map((v) => v.trim()).filter((v) => v !== '');
}

/**
 * The provider a federated user signed in with, from Cognito's `identities`
 * attribute (JSON: [{ providerName, providerType, ... }]). Cognito writes that
 * attribute itself, so unlike custom:groups no provider can set it. Undefined
 * when it is missing, unreadable, or names several providers (linked identities:
 * the event does not say which one this sign-in used, so nothing is mapped).
 */
export function providerOf(userAttributes) {
  const raw = (userAttributes ?? {}).identities;
  if (typeof raw !== 'string' || raw === '') return undefined;
  let list;
  try {
    list = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!Array.isArray(list)) return undefined;
  const names = [...new Set(list.map((i) => (i && typeof i.providerName === 'string' ? i.providerName : '')).filter((n) => n !== ''))];
  return names.length === 1 ? names[0] : undefined;
}

/** A user who signed in through an external provider (Google, OIDC, SAML). */
export function isFederated(userAttributes) {
  const attrs = userAttributes ?? {};
  return attrs['cognito:user_status'] === 'EXTERNAL_PROVIDER' || (typeof attrs.identities === 'string' && attrs.identities !== '');
}

/**
 * The groups for the token: the user's Cognito groups first (as Cognito sent
 * them), then the mapped groups, then the defaults, each once. `mapping` keys are
 * `<provider>:<value>`, lower-case: a provider group counts only when it comes
 * from the provider the key names, so a weaker provider sending the same value
 * gets nothing. No provider: nothing is mapped.
 */
export function mergeGroups({ existing = [], provider, providerGroups = [], mapping = {}, defaults = [] }) {
  const out = [];
  const seen = new Set();
  const add = (g) => {
    if (!seen.has(g)) {
      seen.add(g);
      out.push(g);
    }
  };
  for (const g of existing) add(g);
  const prefix = typeof provider === 'string' && provider !== '' ? `${provider.toLowerCase()}:` : undefined;
  for (const pg of prefix ? providerGroups : []) {
    const key = prefix + pg.toLowerCase();
    const targets = Object.prototype.hasOwnProperty.call(mapping, key) ? mapping[key] : [];
    for (const g of targets) add(g);
  }
  for (const g of defaults) add(g);
  return out;
}

/**
 * Whether a federated user's email is in one of the allowed domains (any email
 * when the list is empty). Anyone with an account at the provider can sign in,
 * so this keeps outsiders from getting mapped or default groups. Only a verified
 * email counts: `email_verified` true (Google maps it; OIDC providers that send
 * it), or a provider the config trusts (`trustEmail`). An unverified address is
 * whatever the user typed into their profile at the provider.
 */
export function emailAllowed(email, domains = [], { verified = true } = {}) {
  if (!domains || domains.length === 0) return true;
  if (!verified) return false;
  const at = typeof email === 'string' ? email.lastIndexOf('@') : -1;
  if (at < 0) return false;
  const domain = email.slice(at + 1).trim().toLowerCase();
  return domains.includes(domain);
}

/** Settings from the function's environment (written by lib/constructs/group-mapping.ts). */
export function loadSettings(env) {
  const mapping = JSON.parse(env.GROUP_MAPPING ?? '{}');
  const defaults = JSON.parse(env.DEFAULT_GROUPS ?? '[]');
  const domains = JSON.parse(env.EMAIL_DOMAINS ?? '[]');
  const trusted = JSON.parse(env.TRUSTED_EMAIL_PROVIDERS ?? '[]');
  if (typeof mapping !== 'object' || mapping === null || Array.isArray(mapping)) throw new Error('GROUP_MAPPING must be a JSON object');
  if (!Array.isArray(defaults)) throw new Error('DEFAULT_GROUPS must be a JSON array');
  if (!Array.isArray(domains)) throw new Error('EMAIL_DOMAINS must be a JSON array');
  if (!Array.isArray(trusted)) throw new Error('TRUSTED_EMAIL_PROVIDERS must be a JSON array');
  const lower = {};
  for (const [k, v] of Object.entries(mapping)) lower[k.trim().toLowerCase()] = Array.isArray(v) ? v.map(String) : [String(v)];
  return {
    mapping: lower,
    defaults: defaults.map(String),
    emailDomains: domains.map((d) => String(d).toLowerCase()),
    trustedEmailProviders: trusted.map((p) => String(p).toLowerCase()),
  };
}

/**
 * Applies the mapping to a pre-token-generation event (V1_0, or V2_0/V3_0) and
 * returns it. Local users (email + password) are left alone: their groups are
 * what an administrator gave them, and a custom:groups value on them is ignored.
 * When nothing is added the response is not touched, so Cognito's own
 * `cognito:groups` goes into the token unchanged.
 */
export function applyToEvent(event, settings) {
  const request = event.request ?? {};
  const attrs = request.userAttributes ?? {};
  if (!isFederated(attrs)) return event;
  const provider = providerOf(attrs);
  const verified =
    attrs.email_verified === 'true' ||
    attrs.email_verified === true ||
    (provider !== undefined && (settings.trustedEmailProviders ?? []).includes(provider.toLowerCase()));
  if (!emailAllowed(attrs.email, settings.emailDomains, { verified })) return event;
  const config = request.groupConfiguration ?? {};
  const existing = Array.isArray(config.groupsToOverride) ? config.groupsToOverride : [];
  const groups = mergeGroups({
    existing,
    provider,
    providerGroups: parseProviderGroups(attrs[GROUPS_ATTRIBUTE]),
    mapping: settings.mapping,
    defaults: settings.defaults,
  });
  if (groups.length === existing.length) return event;

  // groupOverrideDetails replaces the whole group configuration: carry the IAM
  // roles over as Cognito sent them so only the group list changes.
  const groupOverrideDetails = { groupsToOverride: groups };
  if (Array.isArray(config.iamRolesToOverride)) groupOverrideDetails.iamRolesToOverride = config.iamRolesToOverride;
  if (typeof config.preferredRole === 'string') groupOverrideDetails.preferredRole = config.preferredRole;

  const response = event.response ?? {};
  if (String(event.version ?? '1') === '1') {
    response.claimsOverrideDetails = { ...(response.claimsOverrideDetails ?? {}), groupOverrideDetails };
  } else {
    response.claimsAndScopeOverrideDetails = { ...(response.claimsAndScopeOverrideDetails ?? {}), groupOverrideDetails };
  }
  event.response = response;
  return event;
}
