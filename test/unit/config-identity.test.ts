/**
 * cognito.identityProviders, localUsers, groupMapping and defaultGroups: valid
 * files parse with their defaults, every invalid one is rejected with a message
 * naming the path, and the validate command exits 2 for them.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import {
  ConfigError,
  loginIdentityProvider,
  mapsProviderGroups,
  needsGroupTrigger,
  parseConfig,
  parseMappingKey,
  triggerGroupMapping,
  trustedEmailProviders,
  type Config,
  type ConfigProblem,
} from '../../lib/config/index.js';
import { runCli } from '../support/cli.js';
import { problemsOf } from '../support/config.js';

const BASE = `name: analytics
tls: { email: ops@example.org }
cognito:
  groups:
    admins: { precedence: 1 }
    sales: {}
apps:
  - id: one
    context: apps/one
    groups: [admins, sales]
`;

const google = { type: 'google', clientId: 'abc.apps.googleusercontent.com', clientSecretName: 'shinykit/google' };
const entra = {
  type: 'oidc',
  name: 'EntraID',
  issuerUrl: 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0',
  clientId: 'client-1',
  clientSecretName: 'shinykit/entra',
  attributeMapping: { groups: 'groups' },
};
const okta = { type: 'saml', name: 'Okta', metadataUrl: 'https://example.okta.com/app/x/sso/saml/metadata' };

/** BASE with `cognito` extended by `extra`. */
function text(extra: Record<string, unknown>): string {
  const raw = parse(BASE) as Record<string, any>;
  Object.assign(raw.cognito, extra);
  return stringify(raw);
}

function cfg(extra: Record<string, unknown>): Config {
  return parseConfig(text(extra), 'idp.yaml');
}

function problems(extra: Record<string, unknown>): ConfigProblem[] {
  return problemsOf(text(extra), 'idp.yaml');
}

describe('identity config: valid files', () => {
  it('defaults to local users only: no providers, no mapping, no default groups', () => {
    const c = cfg({});
    expect(c.cognito.identityProviders).toEqual([]);
    expect(c.cognito.localUsers).toBe(true);
    expect(c.cognito.groupMapping).toEqual({});
    expect(c.cognito.defaultGroups).toEqual([]);
    expect(needsGroupTrigger(c)).toBe(false);
    expect(loginIdentityProvider(c)).toBeUndefined();
  });

  it('accepts google, oidc and saml providers and fills OIDC scopes by default', () => {
    const c = cfg({ identityProviders: [google, entra, okta] });
    expect(c.cognito.identityProviders.map((p) => p.type)).toEqual(['google', 'oidc', 'saml']);
    const oidc = c.cognito.identityProviders[1]!;
    expect(oidc.type === 'oidc' && oidc.scopes).toEqual(['openid', 'email', 'profile']);
    expect(mapsProviderGroups(c)).toBe(true);
  });

  it('accepts a SAML metadata file instead of a URL', () => {
    const c = cfg({ identityProviders: [{ type: 'saml', name: 'ADFS', metadataFile: 'idp/adfs.xml' }] });
    expect(c.cognito.identityProviders[0]).toMatchObject({ metadataFile: 'idp/adfs.xml' });
  });

  it('normalises a mapping to one group into a list and lower-cases keys for the trigger', () => {
    const c = cfg({
      identityProviders: [entra],
      groupMapping: { 'AAAA-Sales-GUID': 'sales', 'Admins-GUID': ['admins', 'sales'] },
      defaultGroups: ['sales'],
    });
    expect(c.cognito.groupMapping).toEqual({ 'AAAA-Sales-GUID': ['sales'], 'Admins-GUID': ['admins', 'sales'] });
    // One provider sends groups: plain keys belong to it.
    expect(triggerGroupMapping(c)).toEqual({ 'entraid:aaaa-sales-guid': ['sales'], 'entraid:admins-guid': ['admins', 'sales'] });
    expect(needsGroupTrigger(c)).toBe(true);
  });

  it('keys the mapping by provider when several send groups, keeping colons that are part of the value', () => {
    const oktaGroups = { ...okta, attributeMapping: { groups: 'groups' } };
    const c = cfg({
      identityProviders: [entra, oktaGroups],
      groupMapping: { 'EntraID:Admins-GUID': 'admins', 'okta:urn:example:sales': 'sales' },
    });
    expect(triggerGroupMapping(c)).toEqual({ 'entraid:admins-guid': ['admins'], 'okta:urn:example:sales': ['sales'] });
    // A plain value with a colon stays whole when its prefix names no provider.
    expect(parseMappingKey(cfg({ identityProviders: [entra] }), 'urn:example:x')).toEqual({ provider: 'EntraID', value: 'urn:example:x' });
  });

  it('trusts a provider\'s email only with trustEmail: true (SAML sends no email_verified)', () => {
    const c = cfg({ identityProviders: [google, entra, { ...okta, trustEmail: true }], federatedEmailDomains: ['example.org'] });
    expect(trustedEmailProviders(c)).toEqual(['Okta']);
  });

  it('accepts an SES sender and defaults MFA to required', () => {
    const c = cfg({ email: { from: 'no-reply@example.org', sesIdentity: 'example.org', configurationSet: 'invites' } });
    expect(c.cognito.email).toEqual({ from: 'no-reply@example.org', sesIdentity: 'example.org', configurationSet: 'invites' });
    expect(c.cognito.mfa).toBe('required');
  });

  it('accepts google with default groups once federatedEmailDomains limits them', () => {
    const c = cfg({ identityProviders: [google], defaultGroups: ['sales'], federatedEmailDomains: ['example.org'] });
    expect(c.cognito.federatedEmailDomains).toEqual(['example.org']);
  });

  it('goes straight to the provider only with exactly one provider and localUsers: false', () => {
    expect(loginIdentityProvider(cfg({ identityProviders: [google], localUsers: false }))).toBe('Google');
    expect(loginIdentityProvider(cfg({ identityProviders: [entra], localUsers: false }))).toBe('EntraID');
    expect(loginIdentityProvider(cfg({ identityProviders: [entra] }))).toBeUndefined();
    expect(loginIdentityProvider(cfg({ identityProviders: [google, entra], localUsers: false }))).toBeUndefined();
  });
});

describe('identity config: invalid files name the path and the fix', () => {
  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ['unknown provider type', { identityProviders: [{ type: 'github', clientId: 'x' }] }, 'cognito.identityProviders[0].type', /one of google, oidc, saml/],
    ['provider without a type', { identityProviders: [{ clientId: 'x' }] }, 'cognito.identityProviders[0].type', /one of google, oidc, saml/],
    ['provider that is not a map', { identityProviders: ['google'] }, 'cognito.identityProviders[0]', /expected a provider/],
    ['missing secret name (google)', { identityProviders: [{ type: 'google', clientId: 'x' }] }, 'cognito.identityProviders[0].clientSecretName', /required/],
    ['missing secret name (oidc)', { identityProviders: [{ ...entra, clientSecretName: undefined }] }, 'cognito.identityProviders[0].clientSecretName', /required/],
    ['secret ARN instead of a name', { identityProviders: [{ ...google, clientSecretName: 'arn:aws:secretsmanager:eu-west-1:1:secret:x' }] }, 'cognito.identityProviders[0].clientSecretName', /not an ARN/],
    ['a secret typed into the file', { identityProviders: [{ ...google, clientSecret: 'GOCSPX-abc' }] }, 'cognito.identityProviders[0].clientSecret', /Secrets Manager.*clientSecretName/],
    ['http issuer', { identityProviders: [{ ...entra, issuerUrl: 'http://login.example.org' }] }, 'cognito.identityProviders[0].issuerUrl', /https:\/\//],
    ['issuer that is not a URL', { identityProviders: [{ ...entra, issuerUrl: 'login.example.org' }] }, 'cognito.identityProviders[0].issuerUrl', /https:\/\//],
    ['issuer with a query', { identityProviders: [{ ...entra, issuerUrl: 'https://idp.example.org/?tenant=1' }] }, 'cognito.identityProviders[0].issuerUrl', /without user info, query/],
    ['scopes without openid', { identityProviders: [{ ...entra, scopes: ['email'] }] }, 'cognito.identityProviders[0].scopes', /"openid"/],
    ['reserved provider name', { identityProviders: [{ ...entra, name: 'cognito' }] }, 'cognito.identityProviders[0].name', /reserved/],
    ['provider name with underscore', { identityProviders: [{ ...entra, name: 'Entra_ID' }] }, 'cognito.identityProviders[0].name', /letters, digits/],
    ['duplicate provider names', { identityProviders: [entra, { ...okta, name: 'entraid' }] }, 'cognito.identityProviders[1].name', /duplicate provider "entraid".*\[0\]/],
    ['two google providers', { identityProviders: [google, google] }, 'cognito.identityProviders[1].type', /duplicate provider "Google"/],
    ['saml with neither metadata source', { identityProviders: [{ type: 'saml', name: 'Okta' }] }, 'cognito.identityProviders[0]', /exactly one of metadataUrl or metadataFile/],
    ['saml with both metadata sources', { identityProviders: [{ ...okta, metadataFile: 'x.xml' }] }, 'cognito.identityProviders[0]', /exactly one/],
    ['unknown key in a provider', { identityProviders: [{ ...entra, issuer: 'x' }] }, 'cognito.identityProviders[0].issuer', /unknown key/],
    ['localUsers off without providers', { localUsers: false }, 'cognito.localUsers', /at least one entry in cognito.identityProviders/],
    ['localUsers not a boolean', { localUsers: 'no-thanks' }, 'cognito.localUsers', /true or false/],
    ['mapping to an undeclared group', { identityProviders: [entra], groupMapping: { g1: 'finance' } }, 'cognito.groupMapping.g1', /unknown group "finance".*declared: admins, sales/],
    ['mapping list with an undeclared group', { identityProviders: [entra], groupMapping: { g1: ['sales', 'hr'] } }, 'cognito.groupMapping.g1', /unknown group "hr"/],
    ['mapping to an empty list', { identityProviders: [entra], groupMapping: { g1: [] } }, 'cognito.groupMapping.g1', /at least one group/],
    ['mapping keys differing only in case', { identityProviders: [entra], groupMapping: { Sales: 'sales', sales: 'sales' } }, 'cognito.groupMapping.sales', /name the same provider group/],
    ['a prefixed and a plain key for the one provider', { identityProviders: [entra], groupMapping: { 'EntraID:Sales': 'sales', sales: 'sales' } }, 'cognito.groupMapping.sales', /name the same provider group/],
    [
      'a plain key with two providers sending groups',
      { identityProviders: [entra, { ...okta, attributeMapping: { groups: 'groups' } }], groupMapping: { admins: 'admins' } },
      'cognito.groupMapping.admins',
      /several providers send groups \(EntraID, Okta\).*"EntraID:admins"/,
    ],
    ['a key naming a provider that sends no groups', { identityProviders: [entra, okta], groupMapping: { 'Okta:admins': 'admins' } }, 'cognito.groupMapping.Okta:admins', /provider Okta sends no groups/],
    ['SAML with email domains but no trustEmail', { identityProviders: [okta], federatedEmailDomains: ['example.org'] }, 'cognito.identityProviders[0].trustEmail', /SAML sends no email_verified/],
    ['an SES identity that does not cover the sender', { email: { from: 'no-reply@example.org', sesIdentity: 'other.org' } }, 'cognito.email.sesIdentity', /from address .* or its domain/],
    ['an SES sender that is not an address', { email: { from: 'no-reply' } }, 'cognito.email.from', /email address/],
    ['an unknown key under email', { email: { from: 'a@example.org', sender: 'x' } }, 'cognito.email.sender', /unknown key.*allowed: from, fromName/],
    ['mapping without any provider sending groups', { identityProviders: [google], groupMapping: { g1: 'sales' } }, 'cognito.groupMapping', /attributeMapping.groups/],
    ['undeclared default group', { identityProviders: [google], defaultGroups: ['nobody'] }, 'cognito.defaultGroups[0]', /unknown group "nobody"/],
    ['default groups without providers', { defaultGroups: ['sales'] }, 'cognito.defaultGroups', /federated users only/],
    ['google with default groups but no email domains', { identityProviders: [google], defaultGroups: ['sales'] }, 'cognito.defaultGroups', /every Google account.*federatedEmailDomains/],
    ['an email domain that is not a DNS name', { identityProviders: [entra], federatedEmailDomains: ['@example.org'] }, 'cognito.federatedEmailDomains[0]', /DNS name/],
    [
      'a mapping too large for the trigger environment',
      { identityProviders: [entra], groupMapping: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`group-${i}-${'x'.repeat(10)}`, 'sales'])) },
      'cognito.groupMapping',
      /at most 3000/,
    ],
  ];

  it.each(cases)('%s', (_name, extra, path, message) => {
    const found = problems(extra);
    const atPath = found.filter((p) => p.path === path);
    expect(atPath, JSON.stringify(found)).not.toEqual([]);
    expect(atPath.map((p) => p.message).join(' | ')).toMatch(message);
  });

  it('reports the line of a bad provider field', () => {
    const t = `${BASE}`.replace('    sales: {}\n', `    sales: {}\n  identityProviders:\n    - type: oidc\n      name: EntraID\n      issuerUrl: http://bad\n      clientId: c\n      clientSecretName: s\n`);
    try {
      parseConfig(t, 'idp.yaml');
      throw new Error('expected a ConfigError');
    } catch (err) {
      const p = (err as ConfigError).problems.find((x) => x.path === 'cognito.identityProviders[0].issuerUrl');
      expect(p?.line).toBe(10);
    }
  });
});

describe('shinykit validate on identity settings', () => {
  it('exits 2 listing every identity problem with its path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shinykit-idp-'));
    const file = join(dir, 'shinykit.yaml');
    writeFileSync(file, text({ identityProviders: [{ type: 'github' }, { type: 'google', clientId: 'x' }] }));
    const r = await runCli(['validate', '--config', file]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('cognito.identityProviders[0].type: expected type: one of google, oidc, saml');
    expect(r.stderr).toContain('cognito.identityProviders[1].clientSecretName: is required');
    // Cross-field rules run once every field has the right shape (zod stops before refinements).
    writeFileSync(file, text({ identityProviders: [entra], groupMapping: { g: 'nobody' }, defaultGroups: ['hr'] }));
    const r2 = await runCli(['validate', '--config', file]);
    expect(r2.exitCode).toBe(2);
    expect(r2.stderr).toContain('cognito.groupMapping.g: unknown group "nobody"');
    expect(r2.stderr).toContain('cognito.defaultGroups[0]: unknown group "hr"');
  });
});
