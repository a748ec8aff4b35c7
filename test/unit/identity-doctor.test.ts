/**
 * doctor's identity-provider checks against a real local HTTP server standing in
 * for the IdPs (the configured https:// URLs are rewritten to it; issuer URLs
 * must be https in shinykit.yaml, and TLS is not what these checks are about).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChecks, type DoctorDeps } from '../../cli/doctor/checks.js';
import { discoveryUrl, fetchText, identityChecks, type HttpGet } from '../../cli/doctor/identity.js';
import { freePort } from '../support/ports.js';
import { configVariant } from './stacks/synth.js';

const IDP = 'https://idp.example.test';

/** path → [status, body] */
const routes: Record<string, [number, string]> = {
  '/good/v2.0/.well-known/openid-configuration': [
    200,
    JSON.stringify({ issuer: `${IDP}/good/v2.0`, authorization_endpoint: `${IDP}/a`, token_endpoint: `${IDP}/t`, jwks_uri: `${IDP}/k` }),
  ],
  '/slash/.well-known/openid-configuration': [
    200,
    JSON.stringify({ issuer: `${IDP}/slash/`, authorization_endpoint: `${IDP}/a`, token_endpoint: `${IDP}/t`, jwks_uri: `${IDP}/k` }),
  ],
  '/html/.well-known/openid-configuration': [200, '<html>sign in</html>'],
  '/partial/.well-known/openid-configuration': [200, JSON.stringify({ issuer: `${IDP}/partial` })],
  '/saml/metadata': [
    200,
    '<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></md:EntityDescriptor>',
  ],
  '/saml/sp-metadata': [200, '<EntityDescriptor entityID="x"><SPSSODescriptor/></EntityDescriptor>'],
  '/saml/login': [200, '<html>login</html>'],
};

let server: Server;
let get: HttpGet;
beforeAll(async () => {
  server = createServer((req, res) => {
    const route = routes[req.url ?? ''];
    res.writeHead(route?.[0] ?? 404, { 'content-type': 'text/plain' });
    res.end(route?.[1] ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Real HTTP to the local server; only the origin is swapped.
  get = (url) => fetchText(url.replace(IDP, base));
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const oidc = (name: string, issuerUrl: string) => ({ type: 'oidc', name, issuerUrl, clientId: 'c', clientSecretName: 's' });
const saml = (name: string, metadataUrl: string) => ({ type: 'saml', name, metadataUrl });

async function run(providers: unknown[]) {
  const config = configVariant((raw) => {
    raw.cognito.identityProviders = providers;
  });
  // The identity checks read only the config.
  const deps = { config, outputs: { error: 'not needed' } } as unknown as DoctorDeps;
  return runChecks(deps, identityChecks(config, get));
}

describe('doctor: identity providers', () => {
  it('adds no check without providers, and none for Google', () => {
    expect(identityChecks(configVariant())).toEqual([]);
    expect(identityChecks(configVariant((raw) => {
      raw.cognito.identityProviders = [{ type: 'google', clientId: 'g', clientSecretName: 's' }];
    }))).toEqual([]);
  });

  it('passes an OIDC issuer whose discovery document names it', async () => {
    const [r] = await run([oidc('Good', `${IDP}/good/v2.0`)]);
    expect(r).toMatchObject({ id: 'idp-Good', status: 'ok' });
    expect(r!.detail).toContain('/good/v2.0/.well-known/openid-configuration');
  });

  it('fails an issuer that differs from the document\'s (trailing slash) and says which to use', async () => {
    const [r] = await run([oidc('Slash', `${IDP}/slash`)]);
    expect(r!.status).toBe('fail');
    expect(r!.fix).toContain(`exactly "${IDP}/slash/"`);
    expect(r!.fix).toContain('cognito.identityProviders[0].issuerUrl');
  });

  it('fails a missing document, a non-JSON page and a document without endpoints', async () => {
    const results = await run([oidc('Nope', `${IDP}/nope`), oidc('Html', `${IDP}/html`), oidc('Partial', `${IDP}/partial`)]);
    expect(results.map((r) => r.status)).toEqual(['fail', 'fail', 'fail']);
    expect(results[0]!.detail).toMatch(/HTTP 404/);
    expect(results[1]!.detail).toMatch(/did not return JSON/);
    expect(results[2]!.detail).toMatch(/lacks authorization_endpoint, token_endpoint, jwks_uri/);
  });

  it('fails an unreachable issuer with the network error and the config path', async () => {
    const port = await freePort(); // nothing listens there
    const dead: HttpGet = (url) => fetchText(url.replace(IDP, `http://127.0.0.1:${port}`));
    const config = configVariant((raw) => {
      raw.cognito.identityProviders = [oidc('Dead', `${IDP}/x`)];
    });
    const [r] = await runChecks({ config, outputs: { error: 'not needed' } } as unknown as DoctorDeps, identityChecks(config, dead));
    expect(r!.status).toBe('fail');
    expect(r!.detail).toMatch(/ECONNREFUSED/);
    expect(r!.fix).toContain('cognito.identityProviders[0].issuerUrl');
  });

  it('checks SAML metadata URLs: IdP metadata passes, SP metadata and login pages fail', async () => {
    const results = await run([saml('Okta', `${IDP}/saml/metadata`), saml('Sp', `${IDP}/saml/sp-metadata`), saml('Login', `${IDP}/saml/login`)]);
    expect(results.map((r) => r.status)).toEqual(['ok', 'fail', 'fail']);
    expect(results[1]!.detail).toMatch(/no IDPSSODescriptor/);
    expect(results[2]!.detail).toMatch(/no EntityDescriptor/);
  });

  it('skips SAML providers whose metadata is a file', async () => {
    const [r] = await run([{ type: 'saml', name: 'ADFS', metadataFile: 'adfs.xml' }]);
    expect(r).toMatchObject({ status: 'skip' });
  });

  it('builds the discovery URL as Cognito does', () => {
    expect(discoveryUrl('https://login.microsoftonline.com/t/v2.0')).toBe('https://login.microsoftonline.com/t/v2.0/.well-known/openid-configuration');
    expect(discoveryUrl('https://idp.example.org/')).toBe('https://idp.example.org/.well-known/openid-configuration');
  });
});
