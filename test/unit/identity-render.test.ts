/**
 * Rendering for federated sign-in: ShinyProxy's openid block is the same for a
 * pool with identity providers (same client, same cognito:groups roles claim,
 * same email username) — the providers are Cognito's business — except that with
 * exactly one provider and no local users the auth-url names that provider.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderConfigs, placeholderImages, placeholderOutputs } from '../../lib/render/index.js';
import type { Config } from '../../lib/config/index.js';
import { ENTRA } from '../support/identity-providers.js';
import { configVariant } from './stacks/synth.js';

const GOOGLE = { type: 'google', clientId: 'g.apps.googleusercontent.com', clientSecretName: 'shinykit/google' };

function openid(cfg: Config): Record<string, any> {
  const outputs = placeholderOutputs(cfg);
  const { application } = renderConfigs({ config: cfg, outputs, images: placeholderImages(cfg, outputs), source: 'test' });
  return (parse(application) as any).proxy.openid;
}

const plain = openid(configVariant());

describe('openid block with identity providers', () => {
  it('is identical to the local-users block when local users can still sign in', () => {
    const federated = configVariant((raw) => {
      raw.cognito.identityProviders = [GOOGLE, ENTRA];
      raw.cognito.groupMapping = { 'sales-id': 'shiny_users' };
      raw.cognito.defaultGroups = ['dash_users'];
      raw.cognito.federatedEmailDomains = ['example.org'];
    });
    expect(openid(federated)).toEqual(plain);
    expect(plain['roles-claim']).toBe('cognito:groups');
    expect(plain['username-attribute']).toBe('email');
  });

  it('is identical with several providers and no local users (Cognito shows its chooser)', () => {
    const cfg = configVariant((raw) => {
      raw.cognito.identityProviders = [GOOGLE, ENTRA];
      raw.cognito.localUsers = false;
    });
    expect(openid(cfg)).toEqual(plain);
  });

  it('sends the login straight to the only provider when local users are off', () => {
    const cfg = configVariant((raw) => {
      raw.cognito.identityProviders = [ENTRA];
      raw.cognito.localUsers = false;
    });
    const block = openid(cfg);
    expect(block['auth-url']).toBe(`${plain['auth-url']}?identity_provider=EntraID`);
    const { 'auth-url': _a, ...rest } = block;
    const { 'auth-url': _b, ...plainRest } = plain;
    expect(rest).toEqual(plainRest);
    // Spring appends its parameters to the query that is already there.
    const url = new URL(block['auth-url']);
    url.searchParams.append('response_type', 'code');
    expect(url.search).toBe('?identity_provider=EntraID&response_type=code');
  });

  it('uses Cognito\'s fixed name for Google', () => {
    const cfg = configVariant((raw) => {
      raw.cognito.identityProviders = [GOOGLE];
      raw.cognito.localUsers = false;
    });
    expect(openid(cfg)['auth-url']).toMatch(/\/oauth2\/authorize\?identity_provider=Google$/);
  });
});
