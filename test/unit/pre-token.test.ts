/**
 * The pre-token-generation trigger (assets/lambda/pre-token) on events shaped
 * like the ones Cognito sends (V1_0 and V2_0 formats, from the developer guide's
 * examples): mapped and default groups join `cognito:groups`, the user's own
 * groups stay, unknown/no/many groups, case and duplicates, local users untouched;
 * a mapping key counts only for the provider it names (taken from Cognito's
 * `identities` attribute, which no provider can set), and federatedEmailDomains
 * trusts only a verified email.
 */
import { describe, expect, it, vi } from 'vitest';
import {
  applyToEvent,
  emailAllowed,
  isFederated,
  providerOf,
  loadSettings,
  mergeGroups,
  parseProviderGroups,
  type Settings,
} from '../../assets/lambda/pre-token/groups.mjs';

const settings: Settings = loadSettings({
  GROUP_MAPPING: JSON.stringify({ 'EntraID:Sales-Team': ['sales'], 'entraid:5f1c0c1e-0000-4000-8000-00000000beef': ['admins', 'sales'] }),
  DEFAULT_GROUPS: JSON.stringify(['viewers']),
});

type Version = '1' | '2';

/** A federated (OIDC) user's event as Cognito sends it for a hosted-UI sign-in. */
function event(
  version: Version,
  opts: { groups?: string; existing?: string[]; local?: boolean; roles?: string[]; provider?: string; providerType?: string; verified?: boolean } = {},
) {
  const provider = opts.provider ?? 'EntraID';
  const userAttributes: Record<string, string> = {
    sub: '7d8ca528-4931-4254-9273-ea5ee853f271',
    email_verified: opts.verified ? 'true' : 'false',
    email: 'ana@example.org',
    'cognito:user_status': opts.local ? 'CONFIRMED' : 'EXTERNAL_PROVIDER',
  };
  if (!opts.local) {
    userAttributes.identities = JSON.stringify([
      { dateCreated: '1700000000000', userId: 'AbC123', providerName: provider, providerType: opts.providerType ?? 'OIDC', issuer: null, primary: 'true' },
    ]);
  }
  if (opts.groups !== undefined) userAttributes['custom:groups'] = opts.groups;
  const base = {
    version,
    triggerSource: 'TokenGeneration_HostedAuth',
    region: 'eu-west-1',
    userPoolId: 'eu-west-1_EXAMPLE',
    userName: opts.local ? '7d8ca528-4931-4254-9273-ea5ee853f271' : `${provider}_AbC123`,
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: '1example23456789' },
    request: {
      userAttributes,
      groupConfiguration: { groupsToOverride: opts.existing ?? [], iamRolesToOverride: opts.roles ?? [], preferredRole: null },
      ...(version === '2' ? { scopes: ['openid', 'email', 'profile'] } : {}),
    },
    response: version === '1' ? { claimsOverrideDetails: null } : { claimsAndScopeOverrideDetails: null },
  };
  return base as Record<string, any>;
}

/** The groups the token will carry: the override when set, else Cognito's own. */
function tokenGroups(e: Record<string, any>): string[] {
  const details = e.version === '1' ? e.response.claimsOverrideDetails : e.response.claimsAndScopeOverrideDetails;
  return details?.groupOverrideDetails?.groupsToOverride ?? e.request.groupConfiguration.groupsToOverride;
}

describe('parseProviderGroups: the custom:groups formats Cognito stores', () => {
  it.each([
    ['JSON array (OIDC list claim)', '["Sales-Team","5f1c0c1e"]', ['Sales-Team', '5f1c0c1e']],
    ['Cognito bracket form (SAML multi-value)', '[Sales-Team, Finance Team]', ['Sales-Team', 'Finance Team']],
    ['comma-separated', 'a, b ,c', ['a', 'b', 'c']],
    ['a single value', 'Sales-Team', ['Sales-Team']],
    ['empty list', '[]', []],
    ['empty string', '  ', []],
    ['empty items dropped', '[a, , b]', ['a', 'b']],
  ])('%s', (_name, value, expected) => {
    expect(parseProviderGroups(value)).toEqual(expected);
  });

  it('treats a missing or non-string attribute as no groups', () => {
    expect(parseProviderGroups(undefined)).toEqual([]);
    expect(parseProviderGroups(42)).toEqual([]);
  });
});

describe('mergeGroups', () => {
  it('keeps existing groups first, then mapped, then defaults, each once', () => {
    expect(
      mergeGroups({
        existing: ['sales'],
        provider: 'EntraID',
        providerGroups: ['5F1C0C1E-0000-4000-8000-00000000BEEF'],
        mapping: settings.mapping,
        defaults: ['viewers', 'sales'],
      }),
    ).toEqual(['sales', 'admins', 'viewers']);
  });

  it('ignores provider groups with no mapping, including names of Object.prototype members', () => {
    expect(mergeGroups({ provider: 'EntraID', providerGroups: ['Unknown', 'constructor', '__proto__'], mapping: settings.mapping })).toEqual([]);
  });

  it('maps nothing without a provider: a key is never matched on its value alone', () => {
    expect(mergeGroups({ providerGroups: ['Sales-Team'], mapping: settings.mapping, defaults: ['viewers'] })).toEqual(['viewers']);
  });
});

describe('loadSettings', () => {
  it('lower-cases mapping keys and accepts a single group as a string', () => {
    expect(loadSettings({ GROUP_MAPPING: '{"Okta:A B":"x"}', DEFAULT_GROUPS: '[]', TRUSTED_EMAIL_PROVIDERS: '["Okta"]' })).toEqual({
      mapping: { 'okta:a b': ['x'] },
      defaults: [],
      emailDomains: [],
      trustedEmailProviders: ['okta'],
    });
  });
  it('defaults to no mapping and refuses malformed settings', () => {
    expect(loadSettings({})).toEqual({ mapping: {}, defaults: [], emailDomains: [], trustedEmailProviders: [] });
    expect(() => loadSettings({ TRUSTED_EMAIL_PROVIDERS: '"Okta"' })).toThrow(/JSON array/);
    expect(() => loadSettings({ EMAIL_DOMAINS: '"example.org"' })).toThrow(/JSON array/);
    expect(() => loadSettings({ GROUP_MAPPING: '[]' })).toThrow(/JSON object/);
    expect(() => loadSettings({ DEFAULT_GROUPS: '{}' })).toThrow(/JSON array/);
  });
});

describe.each(['1', '2'] as const)('applyToEvent on a V%s_0 event', (version) => {
  const overrideKey = version === '1' ? 'claimsOverrideDetails' : 'claimsAndScopeOverrideDetails';

  it('adds the mapped groups and the defaults for a federated user', () => {
    const e = applyToEvent(event(version, { groups: '["Sales-Team"]' }), settings);
    expect(tokenGroups(e)).toEqual(['sales', 'viewers']);
    expect(Object.keys(e.response)).toEqual([overrideKey]);
  });

  it('matches provider groups case-insensitively', () => {
    const e = applyToEvent(event(version, { groups: '[sales-team, 5F1C0C1E-0000-4000-8000-00000000BEEF]' }), settings);
    expect(tokenGroups(e)).toEqual(['sales', 'admins', 'viewers']);
  });

  it('preserves the user\'s Cognito groups (and their order) and the IAM roles', () => {
    const roles = ['arn:aws:iam::123456789012:role/x'];
    const e = applyToEvent(event(version, { groups: '["Sales-Team"]', existing: ['admins', 'support'], roles }), settings);
    expect(tokenGroups(e)).toEqual(['admins', 'support', 'sales', 'viewers']);
    expect(e.response[overrideKey].groupOverrideDetails.iamRolesToOverride).toEqual(roles);
    expect(e.response[overrideKey].groupOverrideDetails).not.toHaveProperty('preferredRole');
  });

  it('gives only the default groups when the provider sends unknown groups', () => {
    const e = applyToEvent(event(version, { groups: '["Marketing","Interns"]' }), settings);
    expect(tokenGroups(e)).toEqual(['viewers']);
  });

  it('gives only the default groups when the provider sends no groups at all', () => {
    expect(tokenGroups(applyToEvent(event(version), settings))).toEqual(['viewers']);
    expect(tokenGroups(applyToEvent(event(version, { groups: '[]' }), settings))).toEqual(['viewers']);
  });

  it('leaves the response untouched when nothing is added', () => {
    const none: Settings = { mapping: {}, defaults: [] };
    const e = applyToEvent(event(version, { groups: '["Sales-Team"]', existing: ['admins'] }), none);
    expect(e.response).toEqual({ [overrideKey]: null });
    expect(tokenGroups(e)).toEqual(['admins']);
  });

  it('adds each group once when several provider groups map to the same one', () => {
    const many = Array.from({ length: 300 }, (_, i) => `unmapped-${i}`);
    const groups = JSON.stringify([...many, 'Sales-Team', 'SALES-TEAM', '5f1c0c1e-0000-4000-8000-00000000beef', ...many]);
    const e = applyToEvent(event(version, { groups, existing: ['sales'] }), settings);
    expect(tokenGroups(e)).toEqual(['sales', 'admins', 'viewers']);
  });

  it('adds nothing for a federated user outside the allowed email domains', () => {
    const limited: Settings = { ...settings, emailDomains: ['example.org'] };
    const inside = applyToEvent(event(version, { groups: '["Sales-Team"]', verified: true }), limited);
    expect(tokenGroups(inside)).toEqual(['sales', 'viewers']);
    const outsider = event(version, { groups: '["Sales-Team"]', existing: ['support'], verified: true });
    outsider.request.userAttributes.email = 'eve@example.org.evil.test';
    const e = applyToEvent(outsider, limited);
    expect(e.response).toEqual({ [overrideKey]: null });
    expect(tokenGroups(e)).toEqual(['support']);
  });

  it('refuses the spoof: a weaker provider sending a value mapped for another provider gets only the defaults', () => {
    // "Partners" (any OIDC IdP the operator also trusts for sign-in) sends the
    // Entra ID admins group id; the key names EntraID, so it maps nothing.
    const spoof = event(version, { provider: 'Partners', groups: '["5f1c0c1e-0000-4000-8000-00000000beef","Sales-Team"]' });
    expect(tokenGroups(applyToEvent(spoof, settings))).toEqual(['viewers']);
    // The same values from EntraID itself do map.
    const real = event(version, { groups: '["5f1c0c1e-0000-4000-8000-00000000beef"]' });
    expect(tokenGroups(applyToEvent(real, settings))).toEqual(['admins', 'sales', 'viewers']);
  });

  it('maps nothing when the identities attribute is missing or names several providers (linked users)', () => {
    const missing = event(version, { groups: '["Sales-Team"]' });
    delete missing.request.userAttributes.identities;
    expect(tokenGroups(applyToEvent(missing, settings))).toEqual(['viewers']);
    const linked = event(version, { groups: '["Sales-Team"]' });
    linked.request.userAttributes.identities = JSON.stringify([{ providerName: 'EntraID' }, { providerName: 'Partners' }]);
    expect(tokenGroups(applyToEvent(linked, settings))).toEqual(['viewers']);
  });

  it('with federatedEmailDomains, counts only a verified email unless the provider is trusted', () => {
    const limited: Settings = { ...settings, emailDomains: ['example.org'] };
    // An unverified address is whatever the user typed at the provider.
    const unverified = applyToEvent(event(version, { groups: '["Sales-Team"]', verified: false }), limited);
    expect(tokenGroups(unverified)).toEqual([]);
    expect(unverified.response).toEqual({ [overrideKey]: null });
    const trusted: Settings = { ...limited, trustedEmailProviders: ['entraid'] };
    expect(tokenGroups(applyToEvent(event(version, { groups: '["Sales-Team"]', verified: false }), trusted))).toEqual(['sales', 'viewers']);
    // Trust is per provider: another provider's unverified email still does not count.
    const other = event(version, { provider: 'Partners', verified: false });
    expect(tokenGroups(applyToEvent(other, trusted))).toEqual([]);
    // Google maps email_verified itself.
    const google = event(version, { provider: 'Google', providerType: 'Google', verified: true });
    expect(tokenGroups(applyToEvent(google, limited))).toEqual(['viewers']);
  });

  it('ignores custom:groups on a local (email + password) user', () => {
    const e = applyToEvent(event(version, { groups: '["5f1c0c1e-0000-4000-8000-00000000beef"]', existing: ['sales'], local: true }), settings);
    expect(e.response).toEqual({ [overrideKey]: null });
    expect(tokenGroups(e)).toEqual(['sales']);
  });
});

describe('emailAllowed', () => {
  it('allows any email without a list, else exactly the listed domains (case-insensitive)', () => {
    expect(emailAllowed('a@anything.test', [])).toBe(true);
    expect(emailAllowed('Ana@Example.ORG', ['example.org'])).toBe(true);
    expect(emailAllowed('ana@sub.example.org', ['example.org'])).toBe(false);
    expect(emailAllowed('ana@example.org.evil.test', ['example.org'])).toBe(false);
    expect(emailAllowed('"a@example.org"@evil.test', ['example.org'])).toBe(false);
    expect(emailAllowed(undefined, ['example.org'])).toBe(false);
    expect(emailAllowed('ana@example.org', ['example.org'], { verified: false })).toBe(false);
    expect(emailAllowed('ana@anything.test', [], { verified: false })).toBe(true);
  });
});

describe('providerOf: the provider from Cognito\'s identities attribute', () => {
  it('reads the one provider, and nothing from missing, broken or several-provider values', () => {
    expect(providerOf({ identities: '[{"userId":"1","providerName":"EntraID","providerType":"OIDC"}]' })).toBe('EntraID');
    expect(providerOf({ identities: '[{"providerName":"Okta"},{"providerName":"Okta"}]' })).toBe('Okta');
    expect(providerOf({ identities: '[{"providerName":"Okta"},{"providerName":"Google"}]' })).toBeUndefined();
    expect(providerOf({ identities: 'not json' })).toBeUndefined();
    expect(providerOf({ identities: '{"providerName":"Okta"}' })).toBeUndefined();
    expect(providerOf({})).toBeUndefined();
    expect(providerOf(undefined)).toBeUndefined();
  });
});

describe('isFederated', () => {
  it('recognises EXTERNAL_PROVIDER users and users with identities', () => {
    expect(isFederated({ 'cognito:user_status': 'EXTERNAL_PROVIDER' })).toBe(true);
    expect(isFederated({ identities: '[{"providerName":"Google"}]' })).toBe(true);
    expect(isFederated({ 'cognito:user_status': 'CONFIRMED' })).toBe(false);
    expect(isFederated(undefined)).toBe(false);
  });
});

describe('the handler (index.mjs)', () => {
  it('reads its settings from the environment and answers the event', async () => {
    vi.stubEnv('GROUP_MAPPING', JSON.stringify({ 'entraid:sales-team': ['sales'] }));
    vi.stubEnv('DEFAULT_GROUPS', '[]');
    vi.resetModules();
    const { handler } = await import('../../assets/lambda/pre-token/index.mjs');
    const out = await handler(event('2', { groups: '["Sales-Team"]' }));
    expect(tokenGroups(out)).toEqual(['sales']);
    vi.unstubAllEnvs();
  });
});
